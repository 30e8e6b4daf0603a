# nanoosd/: the daemon and the client protocol it shares with cli/.
LINUX_SRC += nanoosd/ctl.c
