/* \Device\HooksSst and \Device\HooksSysenter (examples/hooks/driver-*.c), as hooks.exe uses them. */
#ifndef HOOKS_IOCTL_H
#define HOOKS_IOCTL_H

#ifndef CTL_CODE
#define CTL_CODE(t, f, m, a)  (((t) << 16) | ((a) << 14) | ((f) << 2) | (m))
#endif
#define HOOKS_DEVICE_TYPE 0x8002u

#define IOCTL_HOOKS_INSTALL CTL_CODE(HOOKS_DEVICE_TYPE, 0x801, 0, 0)   /* out: HOOKS_STATE */
#define IOCTL_HOOKS_QUERY   CTL_CODE(HOOKS_DEVICE_TYPE, 0x802, 0, 0)   /* out: HOOKS_STATE */
#define IOCTL_HOOKS_REMOVE  CTL_CODE(HOOKS_DEVICE_TYPE, 0x803, 0, 0)   /* out: HOOKS_STATE */

typedef struct _HOOKS_STATE {
    ULONG Calls;        /* calls the hook has seen */
    ULONG Original;     /* the address it replaced: NtReadFile, or KiFastCallEntry */
    ULONG Hook;         /* what is there now */
    ULONG Index;        /* sst: NtReadFile's service number */
} HOOKS_STATE;

#endif
