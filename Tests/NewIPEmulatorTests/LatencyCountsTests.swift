import Histogram
@testable import NewIPEmulator
import NewIPRandom
import XCTest

/// A flow's latency counts kept over the range used give the histogram that recording every
/// value in HdrHistogram gives: same buckets, percentiles and CDF steps.
final class LatencyCountsTests: XCTestCase {
    func testBucketsAreHdrHistogramBuckets() {
        let reference = Histogram<UInt32>(lowestDiscernibleValue: 1, highestTrackableValue: 1 << 40, numberOfSignificantValueDigits: .three)
        var values: [UInt64] = [0, 1, 2047, 2048, 2049, 4095, 4096, 1_043_360, 3_000_000, 1 << 39]
        var random = RandomStream(seed: 5, name: "latency")
        for _ in 0..<2_000 { values.append(UInt64(random.nextInt(in: 0...50_000_000))) }
        for value in values {
            XCTAssertEqual(LatencyCounts.lowestValue(at: LatencyCounts.index(of: value)), reference.lowestEquivalentForValue(value), "\(value)")
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
        let rebuilt = counts.histogram
        for percentile in [0, 1, 25, 50, 90, 99, 99.9, 100] {
            XCTAssertEqual(rebuilt.valueAtPercentile(percentile), reference.valueAtPercentile(percentile), "p\(percentile)")
        }
        XCTAssertEqual(rebuilt.recordedValues().map { [$0.value, $0.totalCountToThisValue] },
                       reference.recordedValues().map { [$0.value, $0.totalCountToThisValue] })
        XCTAssertLessThan(counts.memoryBytes * 4, reference.estimatedFootprintInBytes, "kept only over the range used")
    }
}
