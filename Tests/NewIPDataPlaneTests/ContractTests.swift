import XCTest
import NewIPWire
@testable import NewIPDataPlane

final class ContractTests: XCTestCase {
    typealias Budget = LatencyBasedForwarding.Budget

    func testLatencyBudgetOfTheBriefExample() {
        // min 10, max 50, experienced 5, todelay 15, tohops 2: lmin = max(0, 10 − 20)/2 = 0,
        // lmax = (50 − 20)/2 = 15 ms.
        XCTAssertEqual(LatencyBasedForwarding.budget(minDelay: ms(10), maxDelay: ms(50), experienced: ms(5),
                                                     toDelay: ms(15), toHops: 2),
                       Budget(earliest: 0, latest: ms(15)))
    }

    func testLatencyBudgetHoldsAnEarlyPacket() {
        // min 40, max 60, experienced 4, todelay 6, tohops 3: lmin = 30/3 = 10, lmax = 50/3 ms.
        XCTAssertEqual(LatencyBasedForwarding.budget(minDelay: ms(40), maxDelay: ms(60), experienced: ms(4),
                                                     toDelay: ms(6), toHops: 3),
                       Budget(earliest: ms(10), latest: 16_666_666))
    }

    func testLatencyBudgetCannotMakeIt() {
        // Slack −1 ms: integer division by 2 would round it to 0, the sign test catches it.
        XCTAssertNil(LatencyBasedForwarding.budget(minDelay: 0, maxDelay: ms(50), experienced: ms(36),
                                                   toDelay: ms(15), toHops: 2))
        // Slack exactly 0 still makes it, with no time to spare.
        XCTAssertEqual(LatencyBasedForwarding.budget(minDelay: 0, maxDelay: ms(50), experienced: ms(35),
                                                     toDelay: ms(15), toHops: 2),
                       Budget(earliest: 0, latest: 0))
        XCTAssertNil(LatencyBasedForwarding.budget(minDelay: ms(60), maxDelay: ms(50), experienced: 0,
                                                   toDelay: 0, toHops: 1), "an inverted window")
    }

    func testLatencyBudgetZeroHopsAndNoMaximum() {
        XCTAssertEqual(LatencyBasedForwarding.budget(minDelay: ms(10), maxDelay: ms(30), experienced: ms(2),
                                                     toDelay: 0, toHops: 0),
                       Budget(earliest: ms(8), latest: ms(28)), "0 hops: this queue gets all the slack")
        let wire = LatencyBasedContract(minDelay: 10, maxDelay: 0, experiencedDelay: 2)
        XCTAssertEqual(LatencyBasedForwarding.budget(for: wire, route: route(1, toDelay: ms(4), toHops: 2)),
                       Budget(earliest: ms(2), latest: .max), "max 0: no upper bound")
    }

    func testLatencyDepartureChargesTimeHereAndLink() {
        let clause = LatencyBasedContract(minDelay: 0, maxDelay: 50, experiencedDelay: 5)
        let left = LatencyBasedForwarding.departing(clause, spentHere: 7_400_000, linkDelay: ms(2))
        XCTAssertEqual(left.experiencedDelay, 14, "5 + 7.4 + 2 = 14.4 ms, rounded to 14")
        XCTAssertEqual(LatencyBasedForwarding.departing(clause, spentHere: 7_500_000, linkDelay: ms(2)).experiencedDelay, 15)
    }

    func testMaxDelayDropsExactlyTheLatePackets() {
        let clause = MaxDelayContract(maxAllowedDelay: 20, delayExp: 12)
        XCTAssertFalse(MaxDelayForwarding.isLate(clause, spentHere: ms(8)), "12 + 8 = 20 is allowed")
        XCTAssertTrue(MaxDelayForwarding.isLate(clause, spentHere: ms(8) + 1), "one nanosecond more is late")
        XCTAssertEqual(MaxDelayForwarding.departing(clause, spentHere: ms(3), linkDelay: ms(1)).delayExp, 16)
    }

    func testPingHopsCountOrCountDown() {
        XCTAssertEqual(PingProcessing.forwarded(hops: 3, policy: .counting(limit: 64)), 4)
        XCTAssertNil(PingProcessing.forwarded(hops: 64, policy: .counting(limit: 64)))
        XCTAssertEqual(PingProcessing.forwarded(hops: 3, policy: .remaining), 2)
        XCTAssertNil(PingProcessing.forwarded(hops: 0, policy: .remaining))
    }

    func testPingRequestReplyRoundTrip() {
        let request = PingProcessing.request(at: 1_000_123_456)
        XCTAssertEqual(request, PingContract(code: PingContract.request, hops: 0, timestamp: 1_000_123))
        let reply = PingProcessing.reply(to: request)
        XCTAssertEqual(reply.code, PingContract.reply)
        XCTAssertEqual(reply.timestamp, request.timestamp)
        XCTAssertEqual(PingProcessing.roundTripTime(of: reply, receivedAt: 1_003_123_000), ms(3))
    }

    func testWireTimeConversions() {
        XCTAssertEqual(WireTime.nanoseconds(milliseconds: 65535), 65_535_000_000)
        XCTAssertEqual(WireTime.milliseconds(499_999), 0)
        XCTAssertEqual(WireTime.milliseconds(500_000), 1)
        XCTAssertEqual(WireTime.milliseconds(-5), 0)
        XCTAssertEqual(WireTime.milliseconds(ms(70_000)), 65535)
        XCTAssertEqual(WireTime.microseconds(1_999), 1)
    }
}
