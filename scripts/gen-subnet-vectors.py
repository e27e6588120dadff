#!/usr/bin/env python3
"""Generates test vectors for shared/subnet with Python's ipaddress module as the oracle.
The output is committed (test/vectors/subnet-vectors.json) so the tests need no Python.
Biased towards the edges other calculators get wrong: /0, /1, /31, /32, /127, /128, and
all-zeros / all-ones addresses. Run: python3 scripts/gen-subnet-vectors.py"""
import ipaddress, json, random

random.seed(20261124)

def rand_v4():
    r = random.random()
    if r < 0.05: return 0
    if r < 0.10: return 2**32 - 1
    return random.getrandbits(32)

def rand_v6():
    r = random.random()
    if r < 0.05: return 0
    if r < 0.10: return 2**128 - 1
    if r < 0.25: return (0xffff << 32) | random.getrandbits(32)  # IPv4-mapped
    if r < 0.35: return (0x20010db8 << 96) | random.getrandbits(64)
    return random.getrandbits(128)

def rand_addr(v6):
    return ipaddress.IPv6Address(rand_v6()) if v6 else ipaddress.IPv4Address(rand_v4())

def fmt(a):
    """RFC 5952 section 5: IPv4-mapped addresses in the mixed dotted form (Python prints hex)."""
    if isinstance(a, ipaddress.IPv6Address) and a.ipv4_mapped is not None:
        return f"::ffff:{a.ipv4_mapped}"
    return str(a)

def fmt_net(n):
    return f"{fmt(n.network_address)}/{n.prefixlen}"

def prefix_for(bits):
    edge = [0, 1, bits - 1, bits, bits - 2, bits // 2, 8, 16, 24] if bits == 32 else [0, 1, 64, 126, 127, 128, 48, 96, 120]
    return random.choice(edge) if random.random() < 0.5 else random.randint(0, bits)

def usable(net):
    bits, p = net.max_prefixlen, net.prefixlen
    n = net.num_addresses
    first, last = int(net.network_address), int(net.broadcast_address)
    if bits == 32:
        if p == 32: return first, last, 1
        if p == 31: return first, last, 2
        return first + 1, last - 1, n - 2
    if p == 128: return first, last, 1
    if p == 127: return first, last, 2
    return first + 1, last, n - 1

calc = []
for version, gen, bits, cls in ((4, rand_v4, 32, ipaddress.IPv4Address), (6, rand_v6, 128, ipaddress.IPv6Address)):
    for _ in range(2500):
        addr = cls(gen())
        p = prefix_for(bits)
        iface = (ipaddress.IPv6Interface if version == 6 else ipaddress.IPv4Interface)((int(addr), p))
        net = iface.network
        f, l, h = usable(net)
        calc.append({
            "input": f"{fmt(addr)}/{p}",
            "version": version,
            "address": fmt(addr),
            "prefix": p,
            "netmask": str(net.netmask),
            "wildcard": str(net.hostmask),
            "network": fmt(net.network_address),
            "broadcast": str(net.broadcast_address) if version == 4 and p <= 30 else None,
            "firstHost": fmt(cls(f)),
            "lastHost": fmt(cls(l)),
            "addresses": str(net.num_addresses),
            "hosts": str(h),
            "reverse": addr.reverse_pointer,
        })

split = []
for _ in range(300):
    v6 = random.random() < 0.4
    bits = 128 if v6 else 32
    p = random.randint(0, bits)
    net = (ipaddress.IPv6Network if v6 else ipaddress.IPv4Network)((int(rand_addr(v6)), p), strict=False)
    new = min(bits, p + random.randint(0, 8))
    split.append({"network": fmt_net(net), "prefix": new, "subnets": [fmt_net(s) for s in net.subnets(new_prefix=new)]})

summarize = []
for _ in range(400):
    v6 = random.random() < 0.3
    bits = 128 if v6 else 32
    base = (ipaddress.IPv6Network if v6 else ipaddress.IPv4Network)((int(rand_addr(v6)), random.randint(bits - 24, bits - 4)), strict=False)
    items = []
    for _ in range(random.randint(1, 12)):
        sub_p = random.randint(base.prefixlen, bits)
        off = random.getrandbits(bits - base.prefixlen) if bits > base.prefixlen else 0
        items.append(base.__class__((int(base.network_address) + off, sub_p), strict=False))
    summarize.append({"inputs": [fmt_net(n) for n in items], "cidrs": [fmt_net(n) for n in ipaddress.collapse_addresses(items)]})

ranges = []
for _ in range(400):
    v6 = random.random() < 0.3
    a, b = sorted([rand_v6(), rand_v6()] if v6 else [rand_v4(), rand_v4()])
    if random.random() < 0.5: b = min(a + random.randint(0, 5000), (2**128 - 1) if v6 else (2**32 - 1))
    cls = ipaddress.IPv6Address if v6 else ipaddress.IPv4Address
    ranges.append({"first": fmt(cls(a)), "last": fmt(cls(b)), "cidrs": [fmt_net(n) for n in ipaddress.summarize_address_range(cls(a), cls(b))]})

exclude = []
for _ in range(300):
    v6 = random.random() < 0.3
    bits = 128 if v6 else 32
    ncls = ipaddress.IPv6Network if v6 else ipaddress.IPv4Network
    net = ncls((int(rand_addr(v6)), random.randint(max(0, bits - 20), bits)), strict=False)
    sub_p = random.randint(net.prefixlen, min(bits, net.prefixlen + 12))
    off = random.getrandbits(bits - net.prefixlen) if bits > net.prefixlen else 0
    sub = ncls((int(net.network_address) + off, sub_p), strict=False)
    exclude.append({"network": fmt_net(net), "exclude": fmt_net(sub), "cidrs": [fmt_net(n) for n in sorted(net.address_exclude(sub))]})

formats = []
for _ in range(1500):
    a = ipaddress.IPv6Address(rand_v6())
    formats.append({"exploded": a.exploded, "canonical": fmt(a)})

json.dump({"calc": calc, "split": split, "summarize": summarize, "ranges": ranges, "exclude": exclude, "format6": formats},
          open("test/vectors/subnet-vectors.json", "w"), indent=0)
print(len(calc), "calc,", len(split), "split,", len(summarize), "summarize,", len(ranges), "ranges,", len(exclude), "exclude,", len(formats), "format")
