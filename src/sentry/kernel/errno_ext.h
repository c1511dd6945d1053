/* SPDX-License-Identifier: MIT */
/* Kernel-internal restart codes: never seen by the guest (syscall dispatch turns them into EINTR or a restart). */
#pragma once

#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ERESTART_RESTARTBLOCK 516

static inline int errno_is_restart(long err)
{
	return err == -ERESTARTSYS || err == -ERESTARTNOINTR || err == -ERESTARTNOHAND ||
	       err == -ERESTART_RESTARTBLOCK;
}
