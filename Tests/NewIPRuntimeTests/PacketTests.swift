import NewIPDataPlane
import NewIPNode
import NewIPEmulator
import NewIPRuntime
import NewIPTopology
import NewIPWire
import XCTest

final class PacketTests: XCTestCase {
    func testUDPOverCompactCarriesTheOpenHarmonyChecksum() throws {
        let packet = try XCTUnwrap(PacketBuilder.udp(dialect: .compact, source: compact("0x01"), sourcePort: 4000,
                                                     destination: compact("0xDE00"), destinationPort: 5000,
                                                     clauses: [Contract.latencyBased(min: 0, max: 20_000_000).clause], data: Array("hello".utf8)))
        let parsed = try XCTUnwrap(packet.withUnsafeBytes { ParsedPacket($0, dialect: .compact) })
        XCTAssertEqual(parsed.source, compact("0x01"))
        XCTAssertEqual(parsed.destination, compact("0xDE00"))
        XCTAssertEqual(parsed.nextHeader, .udp)
        XCTAssertEqual(parsed.latencyBased, LatencyBasedContract(minDelay: 0, maxDelay: 20))
        let udp = try XCTUnwrap(PacketBuilder.udpDatagram(packet, dialect: .compact))
        XCTAssertEqual(udp.sourcePort, 4000)
        XCTAssertEqual(udp.destinationPort, 5000)
        XCTAssertEqual(udp.data, Array("hello".utf8))
        // One flipped data bit fails the checksum.
        var corrupted = packet
        corrupted[corrupted.count - 1] ^= 0x01
        XCTAssertNil(PacketBuilder.udpDatagram(corrupted, dialect: .compact))
    }

    func testEchoRequestAndAnswerInBothDialects() throws {
        for (dialect, source, destination) in [(PacketDialect.compact, compact("0x01"), compact("0x02")),
                                               (.framework, FrameworkAddress("10.0.0.1")!, FrameworkAddress("10.0.0.2")!)] {
            let request = try XCTUnwrap(PacketBuilder.echoRequest(dialect: dialect, source: source, destination: destination,
                                                                  identifier: 7, sequence: 3, sentAt: 123_456_000))
            let parsed = try XCTUnwrap(request.withUnsafeBytes { ParsedPacket($0, dialect: dialect) })
            XCTAssertTrue(parsed.isControl)
            XCTAssertEqual(parsed.ping, PingContract(code: PingContract.request, hops: 0, timestamp: 123_456))
            let answer = try XCTUnwrap(PacketBuilder.answer(to: parsed, type: ControlMessage.echoReply, responder: destination,
                                                            dialect: dialect))
            let reply = try XCTUnwrap(answer.withUnsafeBytes { ParsedPacket($0, dialect: dialect) })
            XCTAssertEqual(reply.destination, source)
            XCTAssertEqual(reply.source, destination)
            XCTAssertEqual(reply.ping?.code, PingContract.reply)
            XCTAssertEqual(reply.ping?.timestamp, 123_456)
            let message = try XCTUnwrap(ControlMessage(reply.payload))
            XCTAssertEqual(message.identifier, 7)
            XCTAssertEqual(message.sequence, 3)
            XCTAssertEqual(message.type, ControlMessage.echoReply)
        }
    }

    func testContractsAndDurationsAsWritten() {
        XCTAssertEqual(Contract("lbf:0-50ms"), .latencyBased(min: 0, max: 50_000_000))
        XCTAssertEqual(Contract("lbf:5ms-50ms"), .latencyBased(min: 5_000_000, max: 50_000_000))
        XCTAssertEqual(Contract("mdf:20ms"), .maxDelay(20_000_000))
        XCTAssertNil(Contract("lbf:fast"))
        XCTAssertNil(Contract("mdf:1e300s"))
        XCTAssertEqual(try Units.duration("500us"), 500_000)
        XCTAssertEqual(try Units.duration("1.5s"), 1_500_000_000)
        XCTAssertThrowsError(try Units.duration("5 parsecs"))
        XCTAssertThrowsError(try Units.duration("1e300s"), "no floating point: out of range is refused, not a trap")
        XCTAssertEqual(UnitText.duration(2_000_000), "2ms")
        XCTAssertEqual(NodeConfig.Endpoint("[::1]:9000")?.host, "::1")
        XCTAssertNil(NodeConfig.Endpoint("localhost"))
    }
}
