import NIOCore
import NewIPDataPlane
import NewIPNode
import NewIPTopology
import NewIPWire

/// One answer to an echo request.
public struct PingAnswer: Sendable {
    public var sequence: UInt16
    /// Echo reply, or hop limit exceeded (from a router on the way).
    public var type: UInt8
    public var responder: FrameworkAddress?
    public var roundTrip: Nanoseconds
    /// Routers that forwarded the request (the ping clause's hops when it arrived).
    public var forwardHops: Int
    /// Routers that forwarded the answer.
    public var returnHops: Int
    /// The request's experienced delay on arrival, from its LBF clause (ms; nil without one).
    public var forwardExperienced: Int?
    /// The answer's experienced delay on arrival here (ms).
    public var returnExperienced: Int?

    /// Experienced delay per hop on the way out (ms).
    public var perHopExperienced: Double? {
        guard let forwardExperienced, forwardHops > 0 else { return nil }
        return Double(forwardExperienced) / Double(forwardHops)
    }
}

/// Echo requests with the ping clause, through a node's application port: `nip ping` and
/// `nip traceroute`.
public final class Pinger: Sendable {
    let connection: NodeConnection
    let source: FrameworkAddress
    let packets: AsyncStream<[UInt8]>

    public static func connect(node: NodeConfig.Endpoint, source: FrameworkAddress? = nil) async throws -> Pinger {
        let connection = try await NodeConnection.connect(node: node, kind: AppProtocol.kindControl, port: 0)
        guard let source = source ?? connection.localAddress else {
            await connection.close()
            throw HostSocketError("the node has no address to ping from")
        }
        return Pinger(connection: connection, source: source)
    }

    private init(connection: NodeConnection, source: FrameworkAddress) {
        self.connection = connection
        self.source = source
        packets = connection.packets
    }

    public var dialect: PacketDialect { connection.dialect }
    public var sourceAddress: FrameworkAddress { source }

    /// Sends one request per probe (sequence number and TTL), `interval` apart, and collects the
    /// answers that arrive within `timeout` of the last; `report` sees each as it comes. Call
    /// once per `Pinger`: its stream of answers ends with the call.
    public func run(destination: FrameworkAddress, probes: [(sequence: UInt16, ttl: UInt8)], interval: Nanoseconds,
                    timeout: Nanoseconds, contract: Contract? = nil,
                    report: @escaping @Sendable (PingAnswer) -> Void = { _ in }) async throws -> [PingAnswer] {
        let identifier = connection.port
        let dialect = dialect
        let source = source
        let collector = Task { () -> [PingAnswer] in
            var answers: [PingAnswer] = []
            for await bytes in packets {
                let now = Node.now()
                guard let parsed = bytes.withUnsafeBytes({ ParsedPacket($0, dialect: dialect) }),
                      let ping = parsed.ping, ping.code == PingContract.reply,
                      let message = ControlMessage(parsed.payload), message.identifier == identifier else { continue }
                let answer = PingAnswer(
                    sequence: message.sequence, type: message.type, responder: parsed.source,
                    roundTrip: PingProcessing.roundTripTime(of: ping, receivedAt: now),
                    forwardHops: Int(message.requestHops), returnHops: Int(ping.hops),
                    forwardExperienced: message.requestExperienced == 0xFFFF ? nil : Int(message.requestExperienced),
                    returnExperienced: parsed.latencyBased.map { Int($0.experiencedDelay) })
                report(answer)
                answers.append(answer)
                if answers.count == probes.count { break }
            }
            return answers
        }
        for (index, (sequence, ttl)) in probes.enumerated() {
            if index > 0 { try await Task.sleep(nanoseconds: UInt64(interval)) }
            let startHops: UInt16 = {
                // The framework dialect has no TTL: start the counting hop field so the limit
                // (64 by default) is reached after `ttl` forwarding nodes, as TTL would be.
                guard dialect == .framework, ttl < PacketBuilder.defaultTTL else { return 0 }
                return UInt16(Int(PacketBuilder.defaultTTL) - Int(ttl) + 1)
            }()
            guard let packet = PacketBuilder.echoRequest(dialect: dialect, source: source, destination: destination,
                                                         identifier: identifier, sequence: sequence,
                                                         sentAt: Node.now(), ttl: ttl,
                                                         startHops: startHops, contract: contract?.clause) else {
                collector.cancel()
                throw HostSocketError("cannot build a \(dialect) echo request from \(source) to \(destination)")
            }
            connection.send(packet: packet)
        }
        let deadline = Task {
            try await Task.sleep(nanoseconds: UInt64(timeout))
            collector.cancel()
        }
        let answers = await collector.value
        deadline.cancel()
        return answers
    }

    public func close() async { await connection.close() }
}
