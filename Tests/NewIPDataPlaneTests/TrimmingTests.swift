import XCTest
import NewIPWire
@testable import NewIPDataPlane

final class TrimmingTests: XCTestCase {
    typealias Chunk = PayloadSpec.Chunk

    /// A buffer whose metadata knows its clauses, as the router leaves it.
    func located(_ bytes: [UInt8], _ dialect: PacketDialect) throws -> PacketBuffer {
        var packet = PacketBuffer(bytes)
        packet.metadata.contracts = try packet.withUnsafeBytes { try HeaderParser.parse($0, dialect: dialect) }.contracts
        return packet
    }

    let bytes = { (text: String) in Array(text.utf8) }

    /// Payload "HH" | AAAA (significance 0) | BBB (2) | CCCCC (1) | "T", the chunks in `cut` trimmed.
    func frameworkSample(cut: Set<Int> = []) -> [UInt8] {
        let chunks = [("AAAA", 0), ("BBB", 2), ("CCCCC", 1)] as [(String, UInt8)]
        let spec = PayloadSpec(chunks: chunks.enumerated().map { index, chunk in
                                   Chunk(significance: chunk.1, length: cut.contains(index) ? 0 : UInt16(chunk.0.count))
                               },
                               chunkOffset: 2, isTrimmed: !cut.isEmpty)
        let kept = chunks.enumerated().filter { !cut.contains($0.offset) }.map(\.element.0).joined()
        return frameworkPacket(destination: .eightBit(9), contracts: [.maxDelay(MaxDelayContract(maxAllowedDelay: 100)), spec.clause],
                               payload: bytes("HH" + kept + "T"))
    }

    func testPayloadSpecEncodingRoundTrips() throws {
        let spec = PayloadSpec(chunks: [Chunk(significance: 0, length: 0x0102), Chunk(significance: 7, length: 3)],
                               chunkOffset: 8, isTrimmed: true)
        XCTAssertEqual(spec.body, [0x80, 2, 8, 0, 0x01, 0x02, 7, 0, 3])
        XCTAssertEqual(spec.extensionItem, [2, 9, 0x80, 2, 8, 0, 0x01, 0x02, 7, 0, 3])
        XCTAssertEqual(spec.clause, .unknown(type: ContractType(rawValue: 0x0010), body: spec.body))
        XCTAssertEqual(try spec.body.withUnsafeBytes { try PayloadSpec(parsingBody: $0) }, spec)
        XCTAssertThrowsError(try [0, 2, 0, 0, 0, 1].withUnsafeBytes { try PayloadSpec(parsingBody: $0) })
        XCTAssertThrowsError(try [0, 0, 0, 9].withUnsafeBytes { try PayloadSpec(parsingBody: $0) })
    }

    func testTrimRemovesTheLeastSignificantChunkAndRewritesTheSpec() throws {
        var packet = try located(frameworkSample(), .framework)
        let (level, available) = (QualitativeTrimming.trimmable(packet).level, QualitativeTrimming.trimmable(packet).bytes)
        XCTAssertEqual(level, 2)
        XCTAssertEqual(available, 8, "BBB and CCCCC; AAAA is significance 0")
        let cut = QualitativeTrimming.trim(&packet, level: 2, needed: 1)
        XCTAssertEqual(cut.bytes, 3)
        XCTAssertEqual(packet.bytes, frameworkSample(cut: [1]))
        XCTAssertEqual(QualitativeTrimming.trim(&packet, level: 2, needed: 1).bytes, 0, "nothing left at level 2")
    }

    func testTrimCompactUDPFixesLengthsAndChecksum() throws {
        let destination = compact("0xF2000100AB")
        func sample(_ lengths: [UInt16], trimmed: Bool, data: String) -> [UInt8] {
            let spec = PayloadSpec(chunks: zip([0, 1, 2] as [UInt8], lengths).map { Chunk(significance: $0, length: $1) },
                                   chunkOffset: 8, isTrimmed: trimmed)
            return compactUDPPacket(destination: destination, extensions: spec.extensionItem, totalLength: true, data: bytes(data))
        }
        var packet = try located(sample([4, 6, 2], trimmed: false, data: "base111111zz"), .compact)
        let cut2 = QualitativeTrimming.trim(&packet, level: 2, needed: 5)
        let cut1 = QualitativeTrimming.trim(&packet, level: 1, needed: 5 - cut2.bytes)
        XCTAssertEqual(cut2.bytes + cut1.bytes, 8)
        let expected = sample([4, 0, 0], trimmed: true, data: "base")
        XCTAssertEqual(packet.bytes, expected)
        try packet.withUnsafeBytes { raw in
            let view = try CompactHeaderView(raw)
            XCTAssertEqual(view.totalLength.map(Int.init), raw.count)
            XCTAssertTrue(CompactChecksum.verify(source: view.source, destination: view.destination, nextHeader: .udp,
                                                 data: UnsafeRawBufferPointer(rebasing: raw[view.headerLength...])))
        }
    }

    func testQueueTrimsLeastSignificantFirstAcrossQueuedAndArrivingPackets() throws {
        var queue = FIFOQueue(limits: QueueLimits(bytes: 2 * frameworkSample().count), trims: true)
        XCTAssertTrue(accepted(queue.enqueue(try located(frameworkSample(), .framework), now: 0)))
        XCTAssertTrue(accepted(queue.enqueue(try located(frameworkSample(), .framework), now: 0)))
        // The queue is full: a third packet must be paid for with trimmed chunks.
        var third = try located(frameworkPacket(destination: .eightBit(9), payload: bytes("0123456789")), .framework)
        XCTAssertEqual(third.count, 18)
        XCTAssertEqual(droppedReason(queue.enqueue(third, now: 0)), .queueFull, "more than the 16 trimmable bytes")
        XCTAssertEqual(queue.trimming, TrimmingCounters(), "nothing is cut for a packet dropped anyway")
        third = try located(frameworkPacket(destination: .eightBit(9), payload: bytes("0")), .framework)
        XCTAssertEqual(third.count, 9)
        XCTAssertTrue(accepted(queue.enqueue(third, now: 0)))
        // 9 bytes: both BBB (level 2, newest first), then the newest CCCCC (level 1).
        XCTAssertEqual(queue.trimming.chunks, 3)
        XCTAssertEqual(queue.trimming.bytes, 11)
        XCTAssertEqual(queue.dequeue(now: 0)?.bytes, frameworkSample(cut: [1]))
        XCTAssertEqual(queue.dequeue(now: 0)?.bytes, frameworkSample(cut: [1, 2]))
        XCTAssertEqual(queue.byteCount, third.count)
    }

    func accepted(_ result: EnqueueResult) -> Bool {
        if case .accepted = result { return true }
        return false
    }

    func droppedReason(_ result: EnqueueResult) -> DropReason? {
        if case .dropped(let reason, _) = result { return reason }
        return nil
    }
}
