import NewIPDataPlane
import NewIPWire

/// The header a flow's packets start with, encoded once: addresses, the contract clause and
/// the payload spec, in the topology's dialect. Each packet is this header, the probe, then
/// the payload (the chunks, or zeros).
struct PacketTemplate: Sendable {
    let header: [UInt8]

    /// Compact packets carry RFC 3692's experimental protocol number: the payload is the
    /// emulator's probe, not UDP (whose length and checksum trimming would have to fix).
    static let nextHeader = NextHeader(rawValue: 253)
    static let initialTTL: UInt8 = 64

    /// The header for `flow`, or why it cannot be built.
    init(flow: Topology.Flow, in topology: Topology) throws(UnitProblem) {
        let source = topology.interface(flow.source).address
        let destination = topology.interface(flow.destination).address
        var clauses: [ContractClause] = []
        if let contract = flow.contract { clauses.append(try Self.clause(contract)) }
        let spec = flow.chunks.isEmpty ? nil : PayloadSpec(chunks: flow.chunks, chunkOffset: UInt8(Probe.length))
        switch topology.dialect {
        case .compact:
            guard case .compact(let from) = source, case .compact(let to) = destination else {
                throw UnitProblem(problem: "the compact dialect needs compact addresses at both ends",
                                  fix: "give the interfaces compact addresses")
            }
            var extensions = clauses.flatMap(CompactExtensions.item(for:))
            if let spec {
                guard spec.bodyLength <= 255 else {
                    throw UnitProblem(problem: "\(flow.chunks.count) chunks do not fit a compact extension item (84 at most)",
                                      fix: "use fewer chunks")
                }
                extensions += spec.extensionItem
            }
            let compact = CompactHeader(ttl: Self.initialTTL, nextHeader: Self.nextHeader, destination: to, source: from,
                                        extensionLength: extensions.count)
            guard compact.encodedLength <= 255 || extensions.isEmpty else {
                throw UnitProblem(problem: "the header with its extensions exceeds 255 bytes", fix: "use fewer chunks")
            }
            header = compact.bytes(extensions: extensions)
        case .framework:
            if let spec { clauses.append(spec.clause) }
            let framework = FrameworkHeader(source: source, destination: destination, contracts: clauses)
            do {
                try framework.checkEncodable()
            } catch {
                throw UnitProblem(problem: "the framework header would be longer than 255 bytes", fix: "use fewer chunks")
            }
            header = framework.encoded()
        }
    }

    /// The smallest packet that holds the header and the probe (and the chunks, if any).
    static func minimumSize(header: Int, chunks: [PayloadSpec.Chunk]) -> Int {
        header + Probe.length + chunks.reduce(0) { $0 + Int($1.length) }
    }

    /// Fills `packet` with a whole packet of `size` bytes.
    func write(into packet: inout PacketBuffer, size: Int, probe: Probe) {
        packet.receive(headroom: PacketPool.headroom) { bytes in
            let end = size
            bytes.baseAddress!.copyMemory(from: header, byteCount: header.count)
            probe.write(into: bytes, at: header.count)
            let payload = header.count + Probe.length
            (bytes.baseAddress! + payload).initializeMemory(as: UInt8.self, repeating: 0, count: end - payload)
            return end
        }
    }

    private static func clause(_ contract: FlowContract) throws(UnitProblem) -> ContractClause {
        switch contract {
        case .latencyBased(let min, let max):
            .latencyBased(LatencyBasedContract(minDelay: try milliseconds(min), maxDelay: try milliseconds(max)))
        case .maxDelay(let max):
            .maxDelay(MaxDelayContract(maxAllowedDelay: try milliseconds(max)))
        }
    }

    /// Contracts carry whole milliseconds (0–65 535) on the wire.
    static func milliseconds(_ value: Nanoseconds) throws(UnitProblem) -> UInt16 {
        guard value % WireTime.nanosecondsPerMillisecond == 0, let ms = UInt16(exactly: value / WireTime.nanosecondsPerMillisecond) else {
            throw UnitProblem(problem: "contract delays travel as whole milliseconds up to 65535ms, not \(UnitText.duration(value))",
                              fix: "round it to whole milliseconds")
        }
        return ms
    }
}
