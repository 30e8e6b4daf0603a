# common.tcl: helpers for the pty-driven session tests (sourced by the
# expect scripts here). Each check prints "STEP-OK name" or "STEP-FAIL
# name: why"; a failed step ends the script (the session is in an unknown
# state after it); "EXPECT-DONE" says the script ran to its end.
set timeout 20
log_user 0
set prompt {[#$] $}

proc ok {name} { puts "STEP-OK $name" }
proc fail {name why} {
	# What came since the last match (still unread after a timeout).
	set seen ""
	catch { expect -timeout 0 -re {.+} { set seen $expect_out(0,string) } }
	puts "STEP-FAIL $name: $why"
	puts "  last output: [string range [string map {"\r" "\\r" "\n" "\\n"} $seen] end-300 end]"
	# Leave nothing behind: the session may be stuck where it failed.
	catch { exec kill -9 [exp_pid] }
	exit 1
}
# step NAME PATTERN: wait for PATTERN (a regexp)
proc step {name pattern} {
	expect {
		-re $pattern { ok $name }
		timeout { fail $name "timed out waiting for /$pattern/" }
		eof { fail $name "the session ended while waiting for /$pattern/" }
	}
}
# prompt NAME: wait for the shell's prompt
proc prompt {name} {
	global prompt
	step $name $prompt
}
# ends NAME STATUS: the session ends with this exit status
proc ends {name want} {
	expect {
		eof {}
		timeout { fail $name "the session did not end" }
	}
	lassign [wait] pid spawnid os_error value
	if {$value != $want} { fail $name "exit status $value, wanted $want" }
	ok $name
}
