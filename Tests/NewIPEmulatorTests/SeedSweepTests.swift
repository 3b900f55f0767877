import NewIPEmulator
import XCTest

/// The sweep's statistics against hand-computed values.
final class SeedSweepTests: XCTestCase {
    /// 1, 2, 3: mean 2; squared deviations 1 + 0 + 1 = 2 over n − 1 = 2 gives sd 1; the
    /// interval is 2 ± t(0.975, 2) · 1 / √3 = 2 ± 4.3027 / 1.7320508… = 2 ± 2.4841650….
    func testMeanSampleDeviationAndStudentInterval() {
        let estimate = SeedSweep.Estimate([1, 2, 3])
        XCTAssertEqual(estimate.n, 3)
        XCTAssertEqual(estimate.mean, 2)
        XCTAssertEqual(estimate.sd, 1)
        XCTAssertEqual(estimate.low!, 2 - 2.4841650, accuracy: 1e-7)
        XCTAssertEqual(estimate.high!, 2 + 2.4841650, accuracy: 1e-7)
    }

    func testTooFewSamplesLeaveTheUndefinedOut() {
        XCTAssertEqual(SeedSweep.Estimate([]), SeedSweep.Estimate([]))
        XCTAssertNil(SeedSweep.Estimate([]).mean)
        let one = SeedSweep.Estimate([5])
        XCTAssertEqual(one.n, 1)
        XCTAssertEqual(one.mean, 5)
        XCTAssertNil(one.sd)
        XCTAssertNil(one.low)
        XCTAssertNil(one.high)
    }

    func testTQuantilesFromTheTableThenTheNormal() {
        XCTAssertEqual(SeedSweep.tTable.count, 30)
        XCTAssertEqual(SeedSweep.tQuantile(degreesOfFreedom: 1), 12.7062)
        XCTAssertEqual(SeedSweep.tQuantile(degreesOfFreedom: 19), 2.0930)
        XCTAssertEqual(SeedSweep.tQuantile(degreesOfFreedom: 30), 2.0423)
        XCTAssertEqual(SeedSweep.tQuantile(degreesOfFreedom: 31), 1.96)
        XCTAssertEqual(SeedSweep.tQuantile(degreesOfFreedom: 999), 1.96)
        // Decreasing towards the normal's quantile.
        XCTAssertTrue(zip(SeedSweep.tTable, SeedSweep.tTable.dropFirst()).allSatisfy { $0 > $1 && $1 > 1.96 })
    }

    /// Per flow, n counts the runs; a lossy link makes the seeds differ; the on-time share
    /// is counted for a flow with a window only; the same runs give the same bytes.
    func testSummaryOverSeedsOfALossyChain() throws {
        let yaml = chain(flows: """
          - {name: p, from: h1, to: h2, pattern: poisson, rate: 20kpps, size: 500, window: {min: 0ms, max: 3ms}}
          - {name: q, from: h2, to: h1, pattern: constant, rate: 1kpps, size: 500}
        """, link: """
            loss: 0.05
        """, duration: "20ms")
        let runs = try (1...3).map { seed in SeedSweep.Run(try emulate(yaml, seed: UInt64(seed))) }
        let sweep = SeedSweep(name: "chain", runs: runs)
        XCTAssertEqual(sweep.seeds, [1, 2, 3])
        XCTAssertEqual(sweep.flows.map(\.name), ["p", "q"])
        XCTAssertEqual(sweep.flows.map(\.n), [3, 3])
        let delivered = sweep.flows[0].estimate(.deliveredShare)
        XCTAssertEqual(delivered.n, 3)
        XCTAssertGreaterThan(delivered.sd ?? 0, 0)
        XCTAssertLessThan(delivered.low!, delivered.mean!)
        XCTAssertLessThan(delivered.mean!, 1)
        XCTAssertEqual(sweep.flows[0].estimate(.onTimeShare).n, 3)
        XCTAssertEqual(sweep.flows[1].estimate(.onTimeShare).n, 0)
        XCTAssertEqual(sweep.csv, SeedSweep(name: "chain", runs: runs).csv)
        XCTAssertEqual(sweep.json.indentedText, SeedSweep(name: "chain", runs: runs).json.indentedText)
        XCTAssertTrue(sweep.csv.hasPrefix("flow,from,to,metric,n,mean,sd,ci95_low,ci95_high\np,"))
        XCTAssertTrue(sweep.csv.contains("\nq,h2:eth0,h1:eth0,on_time_share,0,,,,\n"), sweep.csv)
    }
}
