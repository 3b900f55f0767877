import NewIPWire

/// One input packet and what the decoder made of it: never an abort, a failure is a record.
public struct DecodedPacket: Sendable {
    public enum Outcome: Sendable {
        /// `neighbourDiscovery`: set when the payload is a control message of type 1 or 2
        /// (OpenHarmony's neighbour solicitation or advertisement), decoded or refused.
        case compact(header: CompactHeader, headerLength: Int, headerLengthField: UInt8?, payloadLength: Int,
                     neighbourDiscovery: Result<NeighbourDiscoveryMessage, WireError>? = nil)
        case compactError(CompactHeaderError)
        case framework(FrameworkPacket)
        case frameworkError(WireError)
        /// An Ethernet frame that is not New IP, or a frame too short for its link header.
        case notNewIP(reason: String, offset: Int)
    }

    /// 0-based position in the input.
    public var index: Int
    /// Set when the packet came in an Ethernet frame.
    public var etherType: EtherType?
    public var outcome: Outcome

    public init(index: Int, etherType: EtherType?, outcome: Outcome) {
        self.index = index
        self.etherType = etherType
        self.outcome = outcome
    }

    public var dialect: PacketDialect? {
        switch outcome {
        case .compact, .compactError: .compact
        case .framework, .frameworkError: .framework
        case .notNewIP: nil
        }
    }

    public var isOK: Bool {
        switch outcome {
        case .compact, .framework: true
        default: false
        }
    }
}

/// Decodes bare headers or Ethernet frames of either dialect.
public enum PacketDecoder {
    /// A bare New IP header (and payload) of a known dialect.
    public static func decode(header bytes: [UInt8], dialect: PacketDialect, index: Int) -> DecodedPacket {
        bytes.withUnsafeBytes { raw in
            DecodedPacket(index: index, etherType: nil, outcome: decode(raw, dialect: dialect, shift: 0))
        }
    }

    /// An Ethernet frame, dispatched by EtherType.
    public static func decode(ethernetFrame bytes: [UInt8], index: Int) -> DecodedPacket {
        bytes.withUnsafeBytes { raw in
            let frame: EthernetFrame
            do throws(WireError) { frame = try EthernetFrame(parsing: raw) } catch {
                return DecodedPacket(index: index, etherType: nil, outcome: .notNewIP(reason: "Ethernet frame: \(error)", offset: error.offset))
            }
            let inner = UnsafeRawBufferPointer(rebasing: raw[EthernetFrame.payloadOffset...])
            let outcome: DecodedPacket.Outcome = switch frame.etherType {
            case .compactNewIP: decode(inner, dialect: .compact, shift: EthernetFrame.payloadOffset)
            case .frameworkNewIP: decode(inner, dialect: .framework, shift: EthernetFrame.payloadOffset)
            default: .notNewIP(reason: "EtherType \(frame.etherType) is not New IP", offset: EthernetFrame.Field.etherType)
            }
            return DecodedPacket(index: index, etherType: frame.etherType, outcome: outcome)
        }
    }

    /// Error offsets are shifted by `shift` so they point into the packet as given. Only the
    /// header is checked (as the reference decoders do): the record shows what they accept.
    static func decode(_ raw: UnsafeRawBufferPointer, dialect: PacketDialect, shift: Int) -> DecodedPacket.Outcome {
        let view: NewIPPacketView
        do { view = try NewIPPacketView(raw, dialect: dialect) } catch {
            switch error {
            case .compactHeader(var error):
                error.offset += shift
                return .compactError(error)
            case .wire(let error):
                return .frameworkError(error.shifted(by: shift))
            }
        }
        switch view.header {
        case .compact(let compact):
            return .compact(header: CompactHeader(compact), headerLength: compact.headerLength,
                            headerLengthField: compact.headerLengthField, payloadLength: compact.payloadRange.count,
                            neighbourDiscovery: neighbourDiscovery(compact, shift: shift))
        case .framework(let framework):
            return .framework(FrameworkPacket(header: framework.header, payload: Array(framework.payload)))
        }
    }

    static func neighbourDiscovery(_ view: CompactHeaderView, shift: Int) -> Result<NeighbourDiscoveryMessage, WireError>? {
        guard NeighbourDiscoveryPacket.isNeighbourDiscovery(view) else { return nil }
        do throws(WireError) { return .success(try NeighbourDiscoveryPacket(view).message) } catch { return .failure(error.shifted(by: shift)) }
    }
}
