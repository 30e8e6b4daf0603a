# kproc/rules.mk: the kernel processes of the instance that runs guests
# (sched, console, memmgr) and the guest side of the scheduler: the CPU
# workers and the system-call layer in vm-rv32i/ (Linux today: the AVR
# firmware issue gives the workers their port).

INSTANCE_PORTABLE := kproc/sched.c kproc/console.c kproc/memmgr.c
PORTABLE_SRC += $(INSTANCE_PORTABLE)
AVR_CHECK_OBJ += $(INSTANCE_PORTABLE:%.c=build/avr/%.o)
LINUX_SRC += vm-rv32i/worker.c vm-rv32i/guest.c vm-rv32i/syscall.c vm-rv32i/sys_fs.c \
             vm-rv32i/sys_proc.c vm-rv32i/sys_mem.c vm-rv32i/sys_misc.c vm-rv32i/sys_signal.c
ONE_BACKEND_SUITES += sched

# The users process (kproc/users.c) and its Linux hashing (libcrypt), and
# the suites of console and users, once their files exist.
PORTABLE_SRC += $(wildcard kproc/users.c)
AVR_CHECK_OBJ += $(patsubst %.c,build/avr/%.o,$(wildcard kproc/users.c))
LINUX_SRC += $(wildcard kproc/users_crypt_linux.c)
LDLIBS += -lcrypt
ONE_BACKEND_SUITES += $(if $(wildcard tests/unit/test_console.c),console) \
                      $(if $(wildcard tests/unit/test_users.c),users)
