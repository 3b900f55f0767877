import NewIPDataPlane
import NewIPWire

/// Finds the probe of a flow packet and whether a router trimmed it: reads the header of
/// either dialect to the payload, and the payload spec's flags when there is one.
enum PacketInspector {
    struct Finding {
        var probe: Probe
        var trimmed: Bool
    }

    /// `nil` when the packet does not parse or carries no intact probe.
    static func inspect(_ packet: PacketBuffer, dialect: PacketDialect) -> Finding? {
        packet.withUnsafeBytes { bytes in
            switch dialect {
            case .compact: compact(bytes)
            case .framework: framework(bytes)
            }
        }
    }

    private static func compact(_ bytes: UnsafeRawBufferPointer) -> Finding? {
        guard let view = try? CompactHeaderView(bytes), view.isComplete,
              let probe = Probe(bytes, at: view.headerLength) else { return nil }
        var trimmed = false
        var at = view.extensionRange.lowerBound
        let end = view.extensionRange.upperBound
        // Extension items: type, length, value; type 0 is a one-byte pad.
        while at + 2 <= end {
            if bytes[at] == CompactExtensions.padType { at += 1; continue }
            let length = Int(bytes[at + 1])
            if bytes[at] == PayloadSpec.extensionType, length > PayloadSpec.Field.flags, at + 2 + length <= end {
                trimmed = bytes[at + 2 + PayloadSpec.Field.flags] & PayloadSpec.trimmedFlag != 0
            }
            at += 2 + length
        }
        return Finding(probe: probe, trimmed: trimmed)
    }

    private static func framework(_ bytes: UnsafeRawBufferPointer) -> Finding? {
        guard let view = try? FrameworkHeaderView(bytes), let probe = Probe(bytes, at: view.payloadOffset) else { return nil }
        let spec = view.firstClause(of: PayloadSpec.contractType)
        let flags = spec.flatMap { $0.body.count > PayloadSpec.Field.flags ? $0.body[PayloadSpec.Field.flags] : nil } ?? 0
        let trimmed = flags & PayloadSpec.trimmedFlag != 0
        return Finding(probe: probe, trimmed: trimmed)
    }
}
