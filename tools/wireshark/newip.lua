-- Wireshark / tshark dissector for swift-newip's two New IP dialects.
--
--   compact header   (OpenHarmony, EtherType 0xEADD, pcap link type 147 = DLT_USER0)
--   framework header (Network 2030, EtherType 0x88B6, pcap link type 148 = DLT_USER1)
--
-- Load it with `tshark -X lua_script:tools/wireshark/newip.lua ...`, or copy it into
-- ~/.local/lib/wireshark/plugins/ (see tools/wireshark/README.md).
--
-- The decisions follow Sources/NewIPWire (CompactHeaderView, FrameworkHeaderView,
-- ContractClause) and Sources/NewIPDataPlane (CompactExtensions, PayloadSpec) and the field
-- names follow the keys of `nip decode --json`: a packet `nip decode` refuses is marked
-- `newip.ok == 0` here, with the same `newip.error` (compact), `newip.reason` and
-- `newip.offset`, and an expert info. No input raises a Lua error: every read is bounds-checked.

-- Bitwise and: bit32 (Lua 5.2), Wireshark's bit (BitOp), or plain arithmetic.
local band = (bit32 and bit32.band) or (bit and bit.band) or function(a, b)
    local result, value = 0, 1
    while a > 0 and b > 0 do
        if a % 2 == 1 and b % 2 == 1 then result = result + value end
        a, b, value = math.floor(a / 2), math.floor(b / 2), value * 2
    end
    return result
end

local newip = Proto("newip", "New IP")

-- Value strings -------------------------------------------------------------------------

local dialect_names = { [0] = "compact", [1] = "framework" }
local addr_type_names = { [0] = "ipv4", [1] = "ipv6", [2] = "8bit", [3] = "compact" }
local cast_names = { [0] = "unicast", [1] = "coordcast", [2] = "multicast", [3] = "broadcast", [4] = "groupcast" }
local clause_names = { [1] = "max_delay", [2] = "latency_based", [3] = "ping", [16] = "payload_spec" }
local clause_lengths = { [1] = 6, [2] = 12, [3] = 14 }
local ext_names = { [0] = "pad", [1] = "contract clause", [2] = "payload spec" }
local ping_codes = { [0] = "request", [1] = "reply" }
local nexthdr_names = { [1] = "ICMP", [6] = "TCP", [17] = "UDP", [58] = "ICMPv6", [253] = "experimental (RFC 3692)" }
local compact_errors = {
    [1] = "first bitmap bit is set (reserved, must be 0)",
    [2] = "more than 8 bitmap bytes",
    [3] = "bitmap has no TTL field (mandatory)",
    [4] = "bitmap has no next-header field (mandatory)",
    [5] = "bitmap has no destination address (mandatory)",
    [6] = "destination address encoding is invalid or overlong",
    [7] = "destination address is invalid",
    [8] = "source address encoding is invalid or overlong",
    [9] = "source address is invalid",
    [10] = "header reaches or passes the end of the buffer (at least one payload byte is required)",
    [11] = "unknown bitmap bits but no header-length field to skip them",
    [12] = "header-length field is zero or shorter than the parsed header",
    [13] = "header-length field reaches past the buffer",
}

-- Fields ----------------------------------------------------------------------------------

local f = {
    dialect = ProtoField.uint8("newip.dialect", "Dialect", base.DEC, dialect_names),
    ok = ProtoField.bool("newip.ok", "Valid"),
    error = ProtoField.uint8("newip.error", "Error (OpenHarmony code)", base.DEC, compact_errors),
    reason = ProtoField.string("newip.reason", "Reason"),
    offset = ProtoField.uint32("newip.offset", "Error offset in frame", base.DEC),

    -- compact header
    bitmap = ProtoField.uint8("newip.bitmap", "Bitmap", base.HEX),
    bm_invalid = ProtoField.bool("newip.bitmap.invalid", "Invalid (reserved, must be 0)", 8, nil, 0x80),
    bm_ttl = ProtoField.bool("newip.bitmap.ttl", "TTL present", 8, nil, 0x40),
    bm_total_len = ProtoField.bool("newip.bitmap.total_len", "Total length present", 8, nil, 0x20),
    bm_nexthdr = ProtoField.bool("newip.bitmap.nexthdr", "Next header present", 8, nil, 0x10),
    bm_reserved = ProtoField.bool("newip.bitmap.reserved", "Reserved", 8, nil, 0x08),
    bm_daddr = ProtoField.bool("newip.bitmap.daddr", "Destination address present", 8, nil, 0x04),
    bm_saddr = ProtoField.bool("newip.bitmap.saddr", "Source address present", 8, nil, 0x02),
    bm_hdr_len = ProtoField.bool("newip.bitmap.hdr_len", "Header length present", 8, nil, 0x80),
    bm_ext = ProtoField.bool("newip.bitmap.ext", "Extensions present (swift-newip)", 8, nil, 0x40),
    bm_unknown = ProtoField.uint8("newip.bitmap.unknown", "Bits unknown to the reference", base.HEX, nil, 0x3E),
    bm_more = ProtoField.bool("newip.bitmap.more", "Another bitmap byte follows", 8, nil, 0x01),
    ttl = ProtoField.uint8("newip.ttl", "TTL", base.DEC),
    total_len = ProtoField.uint16("newip.total_len", "Total length", base.DEC),
    nexthdr = ProtoField.uint8("newip.nexthdr", "Next header", base.DEC, nexthdr_names),
    daddr = ProtoField.string("newip.daddr", "Destination address"),
    saddr = ProtoField.string("newip.saddr", "Source address"),
    addr = ProtoField.string("newip.addr", "Source or destination address"),
    hdr_len = ProtoField.uint8("newip.hdr_len", "Header length field", base.DEC),
    header_length = ProtoField.uint16("newip.header_length", "Header length", base.DEC),
    payload_length = ProtoField.uint32("newip.payload_length", "Payload length", base.DEC),
    ext = ProtoField.bytes("newip.ext", "Extensions"),
    ext_skipped = ProtoField.bytes("newip.ext.skipped", "Skipped bytes (unknown bitmap bits)"),
    ext_item = ProtoField.none("newip.ext.item", "Extension item"),
    ext_type = ProtoField.uint8("newip.ext.type", "Item type", base.DEC, ext_names),
    ext_length = ProtoField.uint8("newip.ext.length", "Item length", base.DEC),
    ext_value = ProtoField.bytes("newip.ext.value", "Item value"),

    -- framework header
    shipping_offset = ProtoField.uint8("newip.shipping_offset", "Shipping offset", base.DEC),
    contract_offset = ProtoField.uint8("newip.contract_offset", "Contract offset", base.DEC),
    payload_offset = ProtoField.uint8("newip.payload_offset", "Payload offset", base.DEC),
    shipping = ProtoField.none("newip.shipping", "Shipping spec"),
    src_type = ProtoField.uint8("newip.src_type", "Source address type", base.DEC, addr_type_names),
    dst_type = ProtoField.uint8("newip.dst_type", "Destination address type", base.DEC, addr_type_names),
    cast = ProtoField.uint8("newip.cast", "Cast", base.DEC, cast_names),
    src = ProtoField.string("newip.src", "Source address"),
    dst = ProtoField.string("newip.dst", "Destination address"),
    src_ipv4 = ProtoField.ipv4("newip.src.ipv4", "Source IPv4 address"),
    dst_ipv4 = ProtoField.ipv4("newip.dst.ipv4", "Destination IPv4 address"),
    src_ipv6 = ProtoField.ipv6("newip.src.ipv6", "Source IPv6 address"),
    dst_ipv6 = ProtoField.ipv6("newip.dst.ipv6", "Destination IPv6 address"),
    src_8bit = ProtoField.uint8("newip.src.8bit", "Source 8-bit address", base.DEC),
    dst_8bit = ProtoField.uint8("newip.dst.8bit", "Destination 8-bit address", base.DEC),

    -- contract clauses (framework contract, or compact extension item 1)
    contract = ProtoField.none("newip.contract", "Contract clause"),
    c_type = ProtoField.uint16("newip.contract.type", "Type", base.DEC, clause_names),
    c_max_allowed_delay = ProtoField.uint16("newip.contract.max_allowed_delay", "Max allowed delay", base.DEC),
    c_delay_exp = ProtoField.uint16("newip.contract.delay_exp", "Delay exponent", base.DEC),
    c_min_delay = ProtoField.uint16("newip.contract.min_delay", "Min delay", base.DEC),
    c_max_delay = ProtoField.uint16("newip.contract.max_delay", "Max delay", base.DEC),
    c_experienced_delay = ProtoField.uint16("newip.contract.experienced_delay", "Experienced delay", base.DEC),
    c_fib_todelay = ProtoField.uint16("newip.contract.fib_todelay", "FIB delay to destination", base.DEC),
    c_fib_tohops = ProtoField.uint16("newip.contract.fib_tohops", "FIB hops to destination", base.DEC),
    c_code = ProtoField.uint16("newip.contract.code", "Ping code", base.DEC, ping_codes),
    c_hops = ProtoField.uint16("newip.contract.hops", "Ping hops", base.DEC),
    c_timestamp = ProtoField.uint64("newip.contract.timestamp", "Ping timestamp (us)", base.DEC),
    c_length = ProtoField.uint16("newip.contract.length", "Body length (unknown type)", base.DEC),
    c_data = ProtoField.bytes("newip.contract.data", "Body"),

    -- payload spec (framework clause 0x0010, or compact extension item 2)
    ps = ProtoField.none("newip.payload_spec", "Payload spec"),
    ps_flags = ProtoField.uint8("newip.payload_spec.flags", "Flags", base.HEX),
    ps_trimmed = ProtoField.bool("newip.payload_spec.trimmed", "Trimmed", 8, nil, 0x80),
    ps_chunk_count = ProtoField.uint8("newip.payload_spec.chunk_count", "Chunk count", base.DEC),
    ps_chunk_offset = ProtoField.uint8("newip.payload_spec.chunk_offset", "Chunk offset", base.DEC),
    ps_chunk = ProtoField.none("newip.payload_spec.chunk", "Chunk"),
    ps_significance = ProtoField.uint8("newip.payload_spec.significance", "Significance", base.DEC),
    ps_chunk_length = ProtoField.uint16("newip.payload_spec.chunk_length", "Length", base.DEC),

    payload = ProtoField.bytes("newip.payload", "Payload"),

    -- neighbour discovery (OpenHarmony nndisc: next header 0xB1, struct nip_icmp_hdr + nnd_msg)
    nd = ProtoField.none("newip.nd", "Neighbour discovery"),
    nd_type = ProtoField.uint8("newip.nd.type", "Type", base.DEC, { [1] = "neighbour solicitation", [2] = "neighbour advertisement" }),
    nd_code = ProtoField.uint8("newip.nd.code", "Code", base.DEC),
    nd_checksum = ProtoField.uint16("newip.nd.checksum", "Checksum", base.HEX),
    nd_target = ProtoField.string("newip.nd.target", "Target address"),
    nd_lladdr_len = ProtoField.uint8("newip.nd.lladdr_len", "Link-layer address length", base.DEC),
    nd_lladdr = ProtoField.bytes("newip.nd.lladdr", "Link-layer address", base.COLON),
}

local field_list = {}
for _, field in pairs(f) do field_list[#field_list + 1] = field end
newip.fields = field_list

local e_malformed = ProtoExpert.new("newip.malformed", "Malformed New IP header",
    expert.group.MALFORMED, expert.severity.ERROR)
local e_truncated = ProtoExpert.new("newip.truncated", "Truncated New IP header",
    expert.group.MALFORMED, expert.severity.ERROR)
local e_ext = ProtoExpert.new("newip.ext.malformed", "Malformed New IP extension or payload spec",
    expert.group.MALFORMED, expert.severity.WARN)
local e_incomplete = ProtoExpert.new("newip.incomplete", "New IP header runs past the captured bytes",
    expert.group.MALFORMED, expert.severity.WARN)
newip.experts = { e_malformed, e_truncated, e_ext, e_incomplete }

-- Helpers ----------------------------------------------------------------------------------

local function hex_byte_upper(b) return string.format("%02X", b) end

-- The bytes of tvb[offset, offset + len) as lowercase hex ("de00").
local function hex_of(tvb, offset, len)
    local parts = {}
    for i = 0, len - 1 do parts[#parts + 1] = string.format("%02x", tvb(offset + i, 1):uint()) end
    return table.concat(parts)
end

-- Compact address length announced by its first byte; nil for the invalid range F4-FD.
local function compact_address_length(first)
    if first <= 0xDC then return 1
    elseif first <= 0xF0 then return 2
    elseif first == 0xF1 then return 3
    elseif first == 0xF2 then return 5
    elseif first == 0xF3 then return 7
    elseif first == 0xFE then return 8
    elseif first == 0xFF then return 2
    end
    return nil
end

-- Whether an encoding is the shortest for its value (the reference refuses overlong forms).
local function compact_address_canonical(first, second, third)
    if first == 0xDD then return second >= 0xDD end
    if first == 0xF1 then return second >= 0x14 end
    if first == 0xF2 or first == 0xF3 then return second ~= 0 or third ~= 0 end
    return true
end

local function overlong_reason(first)
    if first == 0xDD then return "DD must be followed by a byte \226\137\165 DD (values below 221 use one byte)" end
    if first == 0xF1 then return "F1 must be followed by a byte \226\137\165 14 (values below 5120 are shorter)" end
    if first == 0xF2 then return "F2 0000 is overlong (values below 65536 are shorter)" end
    return "F3 0000 is overlong (values below 2^32 are shorter)"
end

-- RFC 5952 text of the 16 bytes at offset (as IPv6Address.description prints it).
local function ipv6_text(tvb, offset)
    local groups = {}
    for i = 0, 7 do groups[i] = tvb(offset + 2 * i, 2):uint() end
    if groups[0] == 0 and groups[1] == 0 and groups[2] == 0 and groups[3] == 0 and groups[4] == 0
        and groups[5] == 0xFFFF then
        return string.format("::ffff:%d.%d.%d.%d", tvb(offset + 12, 1):uint(), tvb(offset + 13, 1):uint(),
            tvb(offset + 14, 1):uint(), tvb(offset + 15, 1):uint())
    end
    local best_start, best_len, run_start = -1, 1, -1
    for i = 0, 8 do
        if i < 8 and groups[i] == 0 then
            if run_start < 0 then run_start = i end
        elseif run_start >= 0 then
            if i - run_start > best_len then best_start, best_len = run_start, i - run_start end
            run_start = -1
        end
    end
    local text, i = "", 0
    while i < 8 do
        if i == best_start then
            text = text .. "::"
            i = i + best_len
        else
            if i > 0 and i ~= best_start + best_len then text = text .. ":" end
            text = text .. string.format("%x", groups[i])
            i = i + 1
        end
    end
    return text
end

-- A tree range for [offset, offset + len) clamped to the bytes there are; nil when none.
local function clamp(tvb, offset, len)
    local count = tvb:len()
    if offset >= count or len <= 0 then return nil end
    if offset + len > count then len = count - offset end
    return tvb(offset, len)
end

-- Records a refusal: the generated fields and an expert info at the offending byte.
local function refuse(tvb, tree, expert_field, reason, offset, error_code)
    tree:add(f.ok, false):set_generated()
    if error_code then tree:add(f.error, error_code):set_generated() end
    tree:add(f.reason, reason):set_generated()
    tree:add(f.offset, tvb:offset() + offset):set_generated()
    local range = clamp(tvb, offset, 1)
    if range then
        tree:add_tvb_expert_info(expert_field, range, reason)
    else
        tree:add_proto_expert_info(expert_field, reason)
    end
end

-- Payload spec body ------------------------------------------------------------------------

-- Dissects a payload spec body in tvb[offset, offset + len) under `parent`. payload_start and
-- payload_end (offsets in tvb) bound its chunks; nil skips that check.
local function dissect_payload_spec(tvb, parent, offset, len, payload_start, payload_end)
    local item = parent:add(f.ps, tvb(offset, len))
    if len < 3 then
        item:add_tvb_expert_info(e_ext, tvb(offset, len), "payload spec body of " .. len .. " byte(s), too short (3 + 3 per chunk)")
        return item
    end
    local flags = tvb(offset, 1)
    local flags_item = item:add(f.ps_flags, flags)
    flags_item:add(f.ps_trimmed, flags)
    local count = tvb(offset + 1, 1):uint()
    item:add(f.ps_chunk_count, tvb(offset + 1, 1))
    item:add(f.ps_chunk_offset, tvb(offset + 2, 1))
    local needed = 3 + 3 * count
    if len ~= needed then
        item:add_tvb_expert_info(e_ext, tvb(offset + 1, 1),
            count .. " chunk(s) need " .. needed .. " bytes, the spec has " .. len)
    end
    local total = 0
    local at = offset + 3
    local index = 0
    while index < count and at + 3 <= offset + len do
        local chunk = item:add(f.ps_chunk, tvb(at, 3))
        chunk:add(f.ps_significance, tvb(at, 1))
        chunk:add(f.ps_chunk_length, tvb(at + 1, 2))
        local length = tvb(at + 1, 2):uint()
        total = total + length
        chunk:append_text(string.format(" %d: significance %d, %d bytes", index, tvb(at, 1):uint(), length))
        at = at + 3
        index = index + 1
    end
    item:append_text(string.format(": %d chunk(s), %d bytes%s", count, total,
        band(tvb(offset, 1):uint(), 0x80) ~= 0 and ", trimmed" or ""))
    if payload_start and payload_end and len == needed then
        local last = payload_start + tvb(offset + 2, 1):uint() + total
        if last > payload_end then
            item:add_tvb_expert_info(e_ext, tvb(offset, len),
                "chunks end at byte " .. last .. ", past the payload end " .. payload_end)
        end
    end
    return item
end

-- Contract clauses -------------------------------------------------------------------------

-- Dissects one clause at tvb[offset, offset + len) (len >= 2, all bytes present).
-- payload_start / payload_end are passed to a payload spec (type 0x0010).
local function dissect_clause(tvb, parent, offset, len, payload_start, payload_end)
    local ctype = tvb(offset, 2):uint()
    local item = parent:add(f.contract, tvb(offset, len))
    item:add(f.c_type, tvb(offset, 2))
    local name = clause_names[ctype] or string.format("type(%d)", ctype)
    local fixed = clause_lengths[ctype]
    if fixed and len ~= fixed then
        item:add_tvb_expert_info(e_ext, tvb(offset, len), name .. " clause is " .. fixed .. " bytes, here " .. len)
    end
    local function u16(field, at)
        if at + 2 <= len then item:add(field, tvb(offset + at, 2)) end
        return at + 2 <= len and tvb(offset + at, 2):uint() or 0
    end
    if ctype == 1 then
        local max_allowed = u16(f.c_max_allowed_delay, 2)
        u16(f.c_delay_exp, 4)
        item:append_text(string.format(": max_delay, allowed %d", max_allowed))
    elseif ctype == 2 then
        local min_delay = u16(f.c_min_delay, 2)
        local max_delay = u16(f.c_max_delay, 4)
        local experienced = u16(f.c_experienced_delay, 6)
        u16(f.c_fib_todelay, 8)
        u16(f.c_fib_tohops, 10)
        item:append_text(string.format(": latency_based, window %d-%d, experienced %d", min_delay, max_delay, experienced))
    elseif ctype == 3 then
        local code = u16(f.c_code, 2)
        local hops = u16(f.c_hops, 4)
        if len >= 14 then item:add(f.c_timestamp, tvb(offset + 6, 8)) end
        item:append_text(string.format(": ping %s, hops %d", ping_codes[code] or tostring(code), hops))
    else
        item:add(f.c_length, len - 2):set_generated()
        if ctype == 16 then
            item:append_text(": payload_spec")
            if len > 2 then dissect_payload_spec(tvb, item, offset + 2, len - 2, payload_start, payload_end) end
        else
            item:append_text(": " .. name)
            if len > 2 then item:add(f.c_data, tvb(offset + 2, len - 2)) end
        end
    end
    return name
end

-- Compact header ---------------------------------------------------------------------------

-- Reads a compact address at offset where bytes past the buffer count as zero (as the
-- reference does). Returns its length and hex, or nil.
local function compact_address_at(at, offset)
    local first = at(offset)
    local length = compact_address_length(first)
    if not length then return nil end
    if not compact_address_canonical(first, at(offset + 1), at(offset + 2)) then return nil end
    return length
end

local function dissect_compact(tvb, pinfo, root)
    local count = tvb:len()
    local tree = root:add(newip, tvb(), "New IP, compact header")
    tree:add(f.dialect, 0):set_generated()
    pinfo.cols.protocol = "NewIP"
    local function at(i) if i < count then return tvb(i, 1):uint() end return 0 end
    local function fail(code, offset, truncated)
        local is_truncation = truncated or code == 10 or code == 13
        local reason = compact_errors[code] .. (is_truncation and " (truncated)" or "")
        refuse(tvb, tree, is_truncation and e_truncated or e_malformed, reason, offset, code)
        tree:append_text(" [malformed: error " .. code .. "]")
        pinfo.cols.info = "New IP compact, malformed: error " .. code .. " at byte " .. offset
        return count
    end

    if count == 0 then return fail(10, 0) end
    local first = at(0)
    -- Bitmap bytes: shown before any check so a bad one can be seen.
    local bitmap_count = 0
    repeat
        if bitmap_count >= 8 or bitmap_count >= count then break end
        local b = at(bitmap_count)
        local item = tree:add(f.bitmap, tvb(bitmap_count, 1))
        item:prepend_text("[" .. (bitmap_count + 1) .. "] ")
        if bitmap_count == 0 then
            for _, bit in ipairs({ f.bm_invalid, f.bm_ttl, f.bm_total_len, f.bm_nexthdr, f.bm_reserved, f.bm_daddr, f.bm_saddr }) do
                item:add(bit, tvb(0, 1))
            end
        elseif bitmap_count == 1 then
            item:add(f.bm_hdr_len, tvb(1, 1))
            item:add(f.bm_ext, tvb(1, 1))
            item:add(f.bm_unknown, tvb(1, 1))
        end
        item:add(f.bm_more, tvb(bitmap_count, 1))
        bitmap_count = bitmap_count + 1
        if band(b, 0x01) == 0 then break end
    until false
    if band(first, 0x80) ~= 0 then return fail(1, 0) end
    -- The checks of CompactHeaderView, in its order.
    bitmap_count = 0
    repeat
        if bitmap_count >= 8 then return fail(2, bitmap_count) end
        if bitmap_count >= count then return fail(10, bitmap_count) end
        local last = at(bitmap_count)
        bitmap_count = bitmap_count + 1
    until band(last, 0x01) == 0
    local second = bitmap_count > 1 and at(1) or 0

    local position = bitmap_count
    if band(first, 0x40) == 0 then return fail(3, 0) end
    local ttl_offset = position
    position = position + 1
    local has_total = band(first, 0x20) ~= 0
    local total_offset = position
    if has_total then position = position + 2 end
    if band(first, 0x10) == 0 then return fail(4, 0) end
    local nexthdr_offset = position
    position = position + 1
    if band(first, 0x04) == 0 then return fail(5, 0) end

    -- Fields so far (clamped: the refusal below may be about the end of the bytes).
    local function add_clamped(field, offset, len)
        if offset + len <= count then tree:add(field, tvb(offset, len)) end
    end
    add_clamped(f.ttl, ttl_offset, 1)
    if has_total then add_clamped(f.total_len, total_offset, 2) end
    add_clamped(f.nexthdr, nexthdr_offset, 1)

    local function is_cut(offset)
        return offset + (compact_address_length(at(offset)) or 1) > count
    end
    local destination_offset = position
    local destination_length = compact_address_at(at, position)
    if not destination_length then return fail(6, position, is_cut(position)) end
    position = position + destination_length
    local source_offset, source_length = nil, nil
    if band(first, 0x02) ~= 0 then
        source_offset = position
        source_length = compact_address_at(at, position)
        if not source_length then return fail(8, position, is_cut(position)) end
        position = position + source_length
    end
    local daddr, saddr = nil, nil
    if destination_offset + destination_length <= count then
        daddr = hex_of(tvb, destination_offset, destination_length)
        tree:add(f.daddr, tvb(destination_offset, destination_length), daddr)
        tree:add(f.addr, tvb(destination_offset, destination_length), daddr):set_hidden()
    end
    if source_offset and source_offset + source_length <= count then
        saddr = hex_of(tvb, source_offset, source_length)
        tree:add(f.saddr, tvb(source_offset, source_length), saddr)
        tree:add(f.addr, tvb(source_offset, source_length), saddr):set_hidden()
    end
    if position >= count then return fail(10, position) end

    local header_length_field = nil
    local unknown_bits = false
    if bitmap_count >= 2 then
        unknown_bits = band(second, 0x7F) ~= 0
        if band(second, 0x80) ~= 0 then
            header_length_field = at(position)
            if position < count then tree:add(f.hdr_len, tvb(position, 1)) end
            if has_total and header_length_field >= count then return fail(13, position) end
            position = position + 1
        end
        if position >= count then return fail(10, position) end
    end
    if bitmap_count >= 3 then unknown_bits = true end
    if unknown_bits and not header_length_field then return fail(11, 1) end
    if header_length_field and (header_length_field == 0 or header_length_field < position) then
        return fail(12, position - 1)
    end

    -- Accepted: the reference's header length and what follows.
    local parsed_length = position
    local header_length = math.max(parsed_length, header_length_field or 0)
    local payload_start = math.min(header_length, count)
    tree:add(f.ok, true):set_generated()
    tree:add(f.header_length, header_length):set_generated()
    tree:add(f.payload_length, count - payload_start):set_generated()
    if header_length >= count then
        tree:add_proto_expert_info(e_incomplete, "header length " .. header_length .. " reaches past the "
            .. count .. " captured bytes")
    end

    local payload_end = count
    if has_total then
        local total = tvb(total_offset, 2):uint()
        if total > header_length and total <= count then payload_end = total end
    end

    -- Extensions: the bytes between the parsed fields and the header length.
    local ext_end = math.min(header_length, count)
    local summary = {}
    if ext_end > parsed_length then
        if band(second, 0x40) ~= 0 then
            local ext = tree:add(f.ext, tvb(parsed_length, ext_end - parsed_length))
            local a = parsed_length
            while a < ext_end do
                local item_type = at(a)
                if item_type == 0 then
                    local pad = ext:add(f.ext_item, tvb(a, 1))
                    pad:add(f.ext_type, tvb(a, 1))
                    pad:append_text(": pad")
                    a = a + 1
                elseif a + 2 > ext_end then
                    ext:add_tvb_expert_info(e_ext, tvb(a, ext_end - a), "extension item header cut by the header length")
                    break
                else
                    local value_len = at(a + 1)
                    local value = a + 2
                    local item = ext:add(f.ext_item, tvb(a, math.min(2 + value_len, ext_end - a)))
                    item:add(f.ext_type, tvb(a, 1))
                    item:add(f.ext_length, tvb(a + 1, 1))
                    if value + value_len > ext_end then
                        item:add_tvb_expert_info(e_ext, tvb(a, ext_end - a),
                            "extension item of " .. value_len .. " byte(s) runs past the header length " .. header_length)
                        break
                    end
                    if item_type == 1 then
                        item:append_text(": contract clause")
                        if value_len < 2 then
                            item:add_tvb_expert_info(e_ext, tvb(a, 2 + value_len),
                                value_len .. " byte(s), too few for a clause type")
                        else
                            summary[#summary + 1] = dissect_clause(tvb, item, value, value_len, header_length, payload_end)
                        end
                    elseif item_type == 2 then
                        item:append_text(": payload spec")
                        summary[#summary + 1] = "payload_spec"
                        if value_len > 0 then
                            dissect_payload_spec(tvb, item, value, value_len, header_length, payload_end)
                        else
                            item:add_tvb_expert_info(e_ext, tvb(a, 2), "empty payload spec")
                        end
                    else
                        item:append_text(": unknown type " .. item_type)
                        if value_len > 0 then item:add(f.ext_value, tvb(value, value_len)) end
                    end
                    a = value + value_len
                end
            end
        else
            tree:add(f.ext_skipped, tvb(parsed_length, ext_end - parsed_length))
        end
    end

    if payload_start < count then
        tree:add(f.payload, tvb(payload_start, count - payload_start))
        -- Neighbour discovery (nndisc.c): the message's fields, as far as they are there.
        local kind = at(payload_start)
        if at(nexthdr_offset) == 0xB1 and (kind == 1 or kind == 2) then
            local nd = tree:add(f.nd, tvb(payload_start, count - payload_start))
            nd:add(f.nd_type, tvb(payload_start, 1))
            if payload_start + 4 <= count then
                nd:add(f.nd_code, tvb(payload_start + 1, 1))
                nd:add(f.nd_checksum, tvb(payload_start + 2, 2))
                local body = payload_start + 4
                if kind == 1 and body < count then
                    local length = compact_address_length(at(body))
                    if length and body + length <= count then
                        local target = hex_of(tvb, body, length)
                        nd:add(f.nd_target, tvb(body, length), target)
                        summary[#summary + 1] = "neighbour-solicitation who-has 0x" .. string.upper(target)
                    end
                elseif kind == 2 and body < count then
                    local length = at(body)
                    nd:add(f.nd_lladdr_len, tvb(body, 1))
                    if length > 0 and body + 1 + length <= count then nd:add(f.nd_lladdr, tvb(body + 1, length)) end
                    summary[#summary + 1] = "neighbour-advertisement"
                end
            end
        end
    end

    local src_text = saddr and ("0x" .. string.upper(saddr)) or "(no source)"
    local dst_text = "0x" .. string.upper(daddr or "")
    tree:append_text(", " .. src_text .. " > " .. dst_text)
    local info = string.format("%s > %s ttl %d next-header %d", src_text, dst_text, at(ttl_offset), at(nexthdr_offset))
    if #summary > 0 then info = info .. " " .. table.concat(summary, " ") end
    pinfo.cols.info = info
    pinfo.cols.src = src_text
    pinfo.cols.dst = dst_text
    return count
end

-- Framework header -------------------------------------------------------------------------

local function dissect_framework(tvb, pinfo, root)
    local count = tvb:len()
    local tree = root:add(newip, tvb(), "New IP, framework header")
    tree:add(f.dialect, 1):set_generated()
    pinfo.cols.protocol = "NewIP"
    local function truncated(at, needed)
        local reason = "truncated at byte " .. (tvb:offset() + at) .. ": needed " .. needed .. " more byte" .. (needed == 1 and "" or "s")
        refuse(tvb, tree, e_truncated, reason, at)
        pinfo.cols.info = "New IP framework, " .. reason
        return count
    end
    local function malformed(field, at, reason)
        local text = "malformed " .. field .. " at byte " .. (tvb:offset() + at) .. ": " .. reason
        refuse(tvb, tree, e_malformed, text, at)
        pinfo.cols.info = "New IP framework, " .. text
        return count
    end

    -- Show every byte that is there, then decide as FrameworkHeaderView does.
    if count >= 1 then tree:add(f.shipping_offset, tvb(0, 1)) end
    if count >= 2 then tree:add(f.contract_offset, tvb(1, 1)) end
    if count >= 3 then tree:add(f.payload_offset, tvb(2, 1)) end
    if count < 3 then return truncated(0, 3) end
    if tvb(0, 1):uint() ~= 3 then
        return malformed("shipping offset", 0, "is " .. tvb(0, 1):uint()
            .. "; the shipping spec follows the three offset bytes, so it must be 3")
    end
    local shipping = tree:add(f.shipping, clamp(tvb, 3, count - 3) or tvb(0, 0))
    if count >= 4 then shipping:add(f.src_type, tvb(3, 1)) end
    if count >= 5 then shipping:add(f.dst_type, tvb(4, 1)) end
    if count >= 6 then shipping:add(f.cast, tvb(5, 1)) end
    if count < 6 then return truncated(3, 3) end
    local src_type = tvb(3, 1):uint()
    if src_type > 3 then return malformed("source address type", 3, "unknown address type " .. src_type) end
    local dst_type = tvb(4, 1):uint()
    if dst_type > 3 then return malformed("destination address type", 4, "unknown address type " .. dst_type) end

    -- FrameworkAddress.length(of:in:at:field:): returns the length, or nil and the refusal.
    local function address_length(atype, offset, field)
        local length
        if atype == 0 then length = 4
        elseif atype == 1 then length = 16
        elseif atype == 2 then length = 1
        else
            if offset >= count then return nil, truncated(offset, 1) end
            local first = tvb(offset, 1):uint()
            length = compact_address_length(first)
            if not length then
                return nil, malformed(field, offset, "first byte " .. hex_byte_upper(first) .. " is in the invalid range F4\226\128\147FD")
            end
            if offset + length > count then return nil, truncated(offset, length) end
            local second = length > 1 and tvb(offset + 1, 1):uint() or 0
            local third = length > 2 and tvb(offset + 2, 1):uint() or 0
            if not compact_address_canonical(first, second, third) then
                return nil, malformed(field, offset, overlong_reason(first))
            end
        end
        if offset + length > count then return nil, truncated(offset, length) end
        return length
    end
    local function address_text(atype, offset, length)
        if atype == 0 then
            return string.format("%d.%d.%d.%d", tvb(offset, 1):uint(), tvb(offset + 1, 1):uint(),
                tvb(offset + 2, 1):uint(), tvb(offset + 3, 1):uint())
        elseif atype == 1 then return ipv6_text(tvb, offset)
        elseif atype == 2 then return tostring(tvb(offset, 1):uint())
        end
        return "0x" .. string.upper(hex_of(tvb, offset, length))
    end
    local typed = { [0] = { f.src_ipv4, f.dst_ipv4 }, [1] = { f.src_ipv6, f.dst_ipv6 }, [2] = { f.src_8bit, f.dst_8bit } }
    local function add_address(which, atype, offset, length)
        local text = address_text(atype, offset, length)
        shipping:add(which == 1 and f.src or f.dst, tvb(offset, length), text)
        if typed[atype] then shipping:add(typed[atype][which], tvb(offset, length)):set_hidden() end
        return text
    end

    local source_length, stop = address_length(src_type, 6, "source address")
    if not source_length then return stop end
    local src_text = add_address(1, src_type, 6, source_length)
    local destination_offset = 6 + source_length
    local destination_length
    destination_length, stop = address_length(dst_type, destination_offset, "destination address")
    if not destination_length then return stop end
    local dst_text = add_address(2, dst_type, destination_offset, destination_length)
    local shipping_end = destination_offset + destination_length
    shipping:set_len(shipping_end - 3)
    shipping:append_text(string.format(": %s > %s, %s", src_text, dst_text, cast_names[tvb(5, 1):uint()] or ("cast(" .. tvb(5, 1):uint() .. ")")))

    local contract_offset = tvb(1, 1):uint()
    local payload_offset = tvb(2, 1):uint()
    if contract_offset == 0 then
        if payload_offset ~= shipping_end then
            if payload_offset < shipping_end then
                return malformed("payload offset", 2, "is " .. payload_offset .. ", inside the shipping spec that ends at " .. shipping_end)
            end
            return malformed("payload offset", 2, "is " .. payload_offset .. " but there is no contract and the shipping spec ends at " .. shipping_end)
        end
    else
        if contract_offset ~= shipping_end then
            if contract_offset < shipping_end then
                return malformed("contract offset", 1, "is " .. contract_offset .. ", inside the shipping spec that ends at " .. shipping_end)
            end
            return malformed("contract offset", 1, "is " .. contract_offset .. ", leaving a gap after the shipping spec that ends at " .. shipping_end)
        end
        if payload_offset <= contract_offset then
            if payload_offset == contract_offset then
                return malformed("contract offset", 1, "is " .. contract_offset .. " but the contract is empty (payload offset "
                    .. payload_offset .. "); no contract is written 0")
            end
            return malformed("payload offset", 2, "is " .. payload_offset .. ", before the contract that starts at " .. contract_offset)
        end
        -- Walk the clauses (ContractClause.extent), showing each complete one.
        local offset = contract_offset
        local clauses = {}
        while offset < payload_offset do
            local limit = payload_offset
            if limit - offset < 2 then
                return malformed("contract", offset, (limit - offset) .. " byte(s) left before the payload offset " .. limit .. ", too few for a clause type")
            end
            if offset + 2 > count then return truncated(offset, 2) end
            local ctype = tvb(offset, 2):uint()
            local length = clause_lengths[ctype]
            if not length then
                if limit > count then return truncated(offset, limit - offset) end
                length = limit - offset
            else
                if offset + length > limit then
                    return malformed(clause_names[ctype] .. " clause", offset, "needs " .. length
                        .. " bytes but the payload offset " .. limit .. " leaves " .. (limit - offset))
                end
                if offset + length > count then return truncated(offset, length) end
            end
            clauses[#clauses + 1] = { offset, length }
            offset = offset + length
        end
        for _, clause in ipairs(clauses) do
            dissect_clause(tvb, tree, clause[1], clause[2], payload_offset, count)
        end
    end

    tree:add(f.ok, true):set_generated()
    tree:add(f.header_length, payload_offset):set_generated()
    tree:add(f.payload_length, count - payload_offset):set_generated()
    tree:append_text(", " .. src_text .. " > " .. dst_text)
    if payload_offset < count then tree:add(f.payload, tvb(payload_offset, count - payload_offset)) end

    local summary = {}
    if contract_offset ~= 0 then
        local offset = contract_offset
        while offset < payload_offset do
            local ctype = tvb(offset, 2):uint()
            summary[#summary + 1] = clause_names[ctype] or string.format("type(%d)", ctype)
            offset = offset + (clause_lengths[ctype] or (payload_offset - offset))
        end
    end
    pinfo.cols.info = string.format("%s > %s %s %s", src_text, dst_text,
        cast_names[tvb(5, 1):uint()] or ("cast(" .. tvb(5, 1):uint() .. ")"),
        #summary > 0 and table.concat(summary, " ") or "no contract")
    pinfo.cols.src = src_text
    pinfo.cols.dst = dst_text
    return count
end

-- Registration -----------------------------------------------------------------------------

local ETHERTYPE_COMPACT, ETHERTYPE_FRAMEWORK = 0xEADD, 0x88B6
local encaps = wtap_encaps or wtap
local ENCAP_USER0 = (encaps and encaps.USER0) or 45 -- pcap link type 147
local ENCAP_USER1 = (encaps and encaps.USER1) or 46 -- pcap link type 148

function newip.dissector(tvb, pinfo, tree)
    local match = pinfo.match_uint
    local framework
    if match == ETHERTYPE_FRAMEWORK or match == ENCAP_USER1 then
        framework = true
    elseif match == ETHERTYPE_COMPACT or match == ENCAP_USER0 then
        framework = false
    else
        -- Decode As from elsewhere: a framework header starts with shipping offset 3, which a
        -- compact header (bitmap 0x03: no TTL) cannot.
        framework = tvb:len() > 0 and tvb(0, 1):uint() == 3
    end
    if framework then return dissect_framework(tvb, pinfo, tree) end
    return dissect_compact(tvb, pinfo, tree)
end

local ethertype = DissectorTable.get("ethertype")
ethertype:add(ETHERTYPE_COMPACT, newip)
ethertype:add(ETHERTYPE_FRAMEWORK, newip)
local wtap_encap = DissectorTable.get("wtap_encap")
wtap_encap:add(ENCAP_USER0, newip)
wtap_encap:add(ENCAP_USER1, newip)
