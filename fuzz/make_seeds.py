#!/usr/bin/env python3
"""Writes the hand-made seeds under fuzz/corpus/ (committed; run again after
changing an input layout). The PE and ELF files the build makes are seeds
too, copied at build time (mk/fuzz.mk), never committed."""
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def put(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def u16(v): return struct.pack("<H", v)
def u32(v): return struct.pack("<I", v & 0xFFFFFFFF)
def u64(v): return struct.pack("<Q", v)


# ---- multiboot: an ELF32 i386 ET_EXEC, one PT_LOAD at 1 MiB, a Multiboot header
def elf_kernel(flags=3, memsz=0x2000):
    code = b"\xfa\xf4\xeb\xfd"
    mb = u32(0x1BADB002) + u32(flags) + u32(-(0x1BADB002 + flags))
    body = mb + code
    eh = (b"\x7fELF\x01\x01\x01" + bytes(9) + u16(2) + u16(3) + u32(1) + u32(0x10000c) +
          u32(52) + u32(0) + u32(0) + u16(52) + u16(32) + u16(1) + u16(40) + u16(0) + u16(0))
    ph = u32(1) + u32(84) + u32(0x100000) + u32(0x100000) + u32(len(body)) + u32(memsz) + u32(5) + u32(0x1000)
    return eh + ph + body


def mb_trailer(mode, extra=0):
    return u32(extra) + bytes([mode])


def multiboot():
    k = elf_kernel()
    put("multiboot", "kernel", k + mb_trailer(1))
    mod = b"module bytes\n"
    put("multiboot", "kernel-2mods", k + mod + u16(len(mod)) + b"x" * 9 + u16(9) + mb_trailer(3 | 0x48, 0x1234))
    put("multiboot", "video-flag", elf_kernel(flags=7) + mb_trailer(1))
    put("multiboot", "bss-big", elf_kernel(memsz=0x300000) + mb_trailer(0x81, 0x7ff))


# ---- pe: a PE32 i386 DLL, one section holding an export directory
def pe_dll():
    sect_rva, sect_off = 0x1000, 0x200
    names = [b"DriverEntry\0", b"KeFoo\0", b"Fwd\0"]
    dll = b"drv.sys\0"
    # the export directory (40 bytes) then EAT, ENT, ordinals, strings
    eat_rva = sect_rva + 40
    ent_rva = eat_rva + 4 * len(names)
    ord_rva = ent_rva + 4 * len(names)
    str_rva = ord_rva + 2 * len(names)
    strings, name_rvas = b"", []
    for n in names:
        name_rvas.append(str_rva + len(strings))
        strings += n
    fwd_rva = str_rva + len(strings)
    strings += b"nt.KeFoo\0"
    dll_rva = str_rva + len(strings)
    strings += dll
    funcs = [sect_rva + 0x100, sect_rva + 0x104, fwd_rva]
    exp = (u32(0) + u32(0) + u16(0) + u16(0) + u32(dll_rva) + u32(1) + u32(len(funcs)) + u32(len(names)) +
           u32(eat_rva) + u32(ent_rva) + u32(ord_rva))
    sect = exp + b"".join(map(u32, funcs)) + b"".join(map(u32, name_rvas)) + b"".join(u16(i) for i in range(3)) + strings
    sect += b"\xc3" * (0x200 - len(sect))
    dirs = [(0, 0)] * 16
    dirs[0] = (sect_rva, len(exp))
    opt = (u16(0x10b) + bytes(2) + u32(0x200) + u32(0) + u32(0) + u32(0x1100) + u32(0x1000) + u32(0x1000) +
           u32(0x10000) + u32(0x1000) + u32(0x200) + u16(5) + u16(1) + u16(0) + u16(0) + u16(5) + u16(1) +
           u32(0) + u32(0x2000) + u32(0x200) + u32(0) + u16(1) + u16(0) + u32(0x40000) + u32(0x1000) +
           u32(0x100000) + u32(0x1000) + u32(0) + u32(16) + b"".join(u32(r) + u32(s) for r, s in dirs))
    fh = u16(0x14c) + u16(1) + u32(0) + u32(0) + u32(0) + u16(len(opt)) + u16(0x2102)
    sh = b".text\0\0\0" + u32(0x200) + u32(sect_rva) + u32(0x200) + u32(sect_off) + bytes(12) + u32(0x60000020)
    dos = b"MZ" + bytes(0x3a) + u32(0x40)
    hdr = dos + b"PE\0\0" + fh + opt + sh
    return hdr + bytes(sect_off - len(hdr)) + sect


def pe():
    put("pe", "dll-exports", pe_dll())
    put("pe", "mz-only", b"MZ" + bytes(0x3a) + u32(0x40) + b"PE\0\0")


# ---- services: TSV tables
def services():
    here = os.path.dirname(ROOT)
    path = os.path.join(here, "..", "data", "nt-syscalls", "5.1.2600-sp1-windows-xp.i386.ssdt.tsv")
    with open(path, "rb") as f:
        xp = f.read().splitlines(keepends=True)
    head = b"".join(xp[:40])
    put("services", "xp-head", head)
    moved = xp[:1] + [b"0x000\tNtAccessCheck\t8\n", b"0x001\tNtAcceptConnectPort\t7\n", b"0x002\tNtNewOne\t0\r\n"]
    put("services", "two-tables", head[:400].rsplit(b"\n", 1)[0] + b"\n\f" + b"".join(moved))
    put("services", "builtin", b"build:5.1.2600-sp1-windows-xp")
    put("services", "bad-lines", b"index\tname\targc\n0x000\tNtA\t1\n0x2\tNtB\t99\n0x002\tNtC\n")


# ---- the fuzzed guest (fuzz/fake_guest.h): mode byte, mappings, ... then memory from 0x8000
def guest_mode(n_maps=0, mode=0):
    return bytes([(n_maps << 4) | mode])


def ustring(va_buf, text):
    w = text.encode("utf-16-le")
    return u16(len(w)) + u16(len(w) + 2) + u32(va_buf), w


def decode_seed(pick, argc, args, mem, kind=5, length_arg=1):
    args = (args + [0] * 17)[:17]
    call = bytes([pick, 1]) + u16(0x43) + bytes([argc]) + u32(1000) + b"".join(map(u32, args))
    return guest_mode() + call + u32(0xC0000005) + u16(512) + bytes([kind, length_arg, 80, 0]) + mem


def decode():
    us, w = ustring(0x8010, "tour: hello\n")
    put("decode", "display-string", decode_seed(1, 1, [0x8000], us + bytes(8) + w))
    # NtCreateFile: OBJECT_ATTRIBUTES at 0x8000 naming a UNICODE_STRING at 0x8020
    us, w = ustring(0x8040, "\\??\\C:\\tour.log")
    oa = u32(24) + u32(0) + u32(0x8020) + u32(0x40) + u32(0) + u32(0)
    mem = oa + bytes(8) + us + bytes(24) + w
    put("decode", "create-file", decode_seed(8, 11, [0x8100, 0x120089, 0x8000, 0x8200], mem))
    put("decode", "read-file", decode_seed(6, 9, [4, 0, 0, 0, 0x8200, 0x8000, 64, 0x8300, 0], b"data" * 32,
                                           kind=9, length_arg=6))
    put("decode", "unknown-argc", decode_seed(0x7F, 39, list(range(17)), b"NtHostile\0"))


# ---- kd: guest, registers, a script, memory
def kd_seed(script, mem=b""):
    regs = [0xb7, 0, 0, 0x12ff78, 0, 0, 0, 0x80009800, 0x8000A000, 0x246, 0, 0x8000C000, 0x8000D000, 0, 0, 0x8000E000]
    halves = [8, 0x10, 0x23, 0x23, 0x30, 0, 0x3ff, 0x7ff, 0, 0x28]
    body = b"".join(map(u32, regs)) + b"".join(map(u16, halves)) + b"\0" + u32(0) + u32(0x8053a270)
    return guest_mode() + body + script + b"\0" + mem


def kd():
    sdt = u32(0x80008100) + u32(0) + u32(4) + u32(0x80008900)
    mem = sdt + bytes(0x100 - len(sdt)) + u32(0x8000B000) * 4
    put("kd", "sst", kd_seed(b"!sst; !sst 1; dd KeServiceDescriptorTable L4", mem))
    put("kd", "regs", kd_seed(b"r; r eax; r cr0; ln @eip; u; u KiSystemService L3; db @esp L20"))
    put("kd", "nt", kd_seed(b"!thread; !handle; !handle kernel; lm; dt KTHREAD 80009000; dt nt!_KTRAP_FRAME @esp"))
    put("kd", "misc", kd_seed(b"!descriptor IDT 2e; !descriptor GDT 3; rdmsr 176; x nt!Ki*; dw 0n100 L3; help; g"))


# ---- lab_result: the records of protocol.h
def rec(tag, payload=b""):
    return tag + u64(len(payload)) + payload


def lab_result():
    ok = b"NTVLAB1\n" + rec(b"STRT") + rec(b"EXIT", u32(0)) + rec(b"DONE")
    put("lab_result", "exit", b"\x05" + ok)
    name = b"/ntv/work/trace.jsonl"
    f = rec(b"FILE", u32(len(name)) + name + b'{"ev":"exit"}\n')
    put("lab_result", "file", b"\x3f" + b"junk\r\n" + b"NTVLAB1\n" + rec(b"STRT") + f + rec(b"SIGN", u32(9)) + rec(b"DONE"))
    put("lab_result", "fail", b"\x00" + b"NTVLAB1\n" + rec(b"FAIL", b"lab: kvm_amd missing") + rec(b"DONE"))


# ---- idt: guest, flags, IDTR base and limit, ESP, memory (0x8000: the IDT, via KSEG0)
def gate(target, typ=0x8E):
    return u16(target & 0xFFFF) + u16(8) + bytes([0, typ]) + u16(target >> 16)


def idt_seed(handlers, gates, esp=0x80008300, stack=u32(0x401000) + u32(0x1b)):
    idt = b"".join(gates)
    mem = bytearray(0xB00)
    mem[0:len(idt)] = idt
    mem[0x300:0x300 + len(stack)] = stack
    for off, code in handlers:
        mem[off:off + len(code)] = code
    return guest_mode() + b"\x02" + u32(0x80008000) + u16(len(idt) - 1) + u32(esp) + bytes(mem)


def jmp(frm, to):
    return b"\xe9" + u32(to - frm - 5)


def idt():
    h = 0x80008000
    iret_handler = b"\x6a\x00\x60\x90\x61\x83\xc4\x04\xcf"            # push 0; pushad; nop; popad; add esp,4; iretd
    ki = b"\x6a\x00\x60\x61\x83\xc4\x04\x8b\xc0\xcf\x0f\x35"              # ...; mov eax,eax; iretd; sysexit
    to_common = b"\x6a\x0e" + jmp(0x502, 0x400)                           # push 0xe; jmp common (0x400)
    self_loop = b"\xeb\xfe"                                              # jmp $
    gates = [gate(h + 0x500)] * 14 + [gate(h + 0x600), gate(h + 0x800)] + [gate(h + 0x400)] * 30
    gates[3] = gate(0x00200000)                                          # unmapped handler
    gates[5] = gate(h + 0x800, 0x8F)
    gates[6] = gate(h + 0x900)
    gates.append(gate(h + 0xA00))                                        # 0x2E
    handlers = [(0x400, iret_handler), (0x500, to_common), (0x600, jmp(0x600, 0x700)), (0x700, jmp(0x700, 0x600)),
                (0x800, self_loop), (0x900, b"\xcf"), (0xA00, ki)]
    put("idt", "handlers", idt_seed(handlers, gates))
    put("idt", "esp-unmapped", idt_seed(handlers, gates, esp=0x00300000))
    put("idt", "idt-wraps", guest_mode() + b"\x00" + u32(0xFFFFFFF8) + u16(0xFFFF) + u32(0xFFFFFFFC))


if __name__ == "__main__":
    for fn in (multiboot, pe, services, decode, kd, lab_result, idt):
        fn()
