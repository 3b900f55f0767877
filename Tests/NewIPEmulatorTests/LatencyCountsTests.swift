import Histogram
@testable import NewIPEmulator
import NewIPRandom
import XCTest

/// A flow's latency counts kept over the range used give what recording every value in
/// HdrHistogram gives: same buckets, percentiles and CDF steps.
final class LatencyCountsTests: XCTestCase {
    func testBucketsAreHdrHistogramBuckets() {
        let reference = Histogram<UInt32>(lowestDiscernibleValue: 1, highestTrackableValue: 1 << 40, numberOfSignificantValueDigits: .three)
        var values: [UInt64] = [0, 1, 2047, 2048, 2049, 4095, 4096, 1_043_360, 3_000_000, 1 << 39]
        var random = RandomStream(seed: 5, name: "latency")
        for _ in 0..<2_000 { values.append(UInt64(random.nextInt(in: 0...50_000_000))) }
        for value in values {
            let index = LatencyCounts.index(of: value)
            XCTAssertEqual(LatencyCounts.lowestValue(at: index), reference.lowestEquivalentForValue(value), "\(value)")
            XCTAssertEqual(LatencyCounts.highestValue(at: index), reference.highestEquivalentForValue(value), "\(value)")
        }
    }

    func testPercentilesAndStepsEqualRecordingEveryValue() {
        var random = RandomStream(seed: 9, name: "latency")
        // Drifting upward and back down, so the kept range grows on both sides.
        let values = (0..<5_000).map { step -> UInt64 in
            let centre = step < 2_500 ? 2_000_000 + step * 400 : 4_000_000 - step * 600
            return UInt64(max(1, centre + random.nextInt(in: -30_000...30_000)))
        }
        var counts = LatencyCounts()
        var reference = Histogram<UInt32>(numberOfSignificantValueDigits: .three)
        for value in values {
            counts.record(value)
            reference.record(value)
        }
        for percentile in [0, 1, 25, 50, 90, 99, 99.9, 100] {
            XCTAssertEqual(counts.value(atPercentile: percentile), reference.valueAtPercentile(percentile), "p\(percentile)")
        }
        XCTAssertEqual(counts.steps.map { [$0.value, $0.countToHere] },
                       reference.recordedValues().map { [$0.value, $0.totalCountToThisValue] })
        // Zeros and a lone far value.
        var few = LatencyCounts()
        var fewReference = Histogram<UInt32>(numberOfSignificantValueDigits: .three)
        for value: UInt64 in [0, 0, 5, 3_000_017] {
            few.record(value)
            fewReference.record(value)
        }
        for percentile: Double in [0, 10, 50, 60, 99, 100] {
            XCTAssertEqual(few.value(atPercentile: percentile), fewReference.valueAtPercentile(percentile), "p\(percentile)")
        }
        XCTAssertEqual(few.steps.map { [$0.value, $0.countToHere] }, fewReference.recordedValues().map { [$0.value, $0.totalCountToThisValue] })
        XCTAssertLessThan(counts.memoryBytes * 4, reference.estimatedFootprintInBytes, "kept only over the range used")
    }
}
