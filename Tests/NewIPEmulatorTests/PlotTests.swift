import Foundation
@testable import NewIPEmulator
import NewIPTopology
import XCTest

/// The SVG plots on small hand-computed data: coordinates, shares of packets sent, the
/// window's shading, legends, and identical bytes for identical input. The plot area is
/// x 70–530, y 40–390 (760 × 440 with margins 70, 230, 40, 50).
final class PlotTests: XCTestCase {
    /// The `points` of the polyline drawing `series`.
    func points(_ svg: String, series: String) throws -> [String] {
        let tag = try XCTUnwrap(svg.range(of: "data-series=\"\(series)\""), "no polyline for \(series)")
        let start = try XCTUnwrap(svg[tag.upperBound...].range(of: "points=\""))
        let end = try XCTUnwrap(svg[start.upperBound...].firstIndex(of: "\""))
        return svg[start.upperBound..<end].split(separator: " ").map(String.init)
    }

    /// The value of `attribute` in the first element carrying `marker`.
    func attribute(_ attribute: String, of marker: String, in svg: String) throws -> String {
        let element = try XCTUnwrap(svg.split(separator: "\n").first { $0.contains(marker) }, "no element with \(marker)")
        let start = try XCTUnwrap(element.range(of: " \(attribute)=\""))
        return String(element[start.upperBound...].prefix { $0 != "\"" })
    }

    func testLabelsAreEscapedForSVGInOnePass() {
        XCTAssertEqual(SVGText.escaped("plain é flow"), "plain é flow")
        XCTAssertEqual(SVGText.escaped("a<b & \"c\">d"), "a&lt;b &amp; &quot;c&quot;&gt;d")
        XCTAssertEqual(SVGText.escaped("&amp;"), "&amp;amp;")
        XCTAssertEqual(SVGText.escaped(""), "")
    }

    func testCDFIsAShareOfPacketsSentWithTheWindowShadedAndEverySeriesInTheLegend() throws {
        // A: 4 sent, 1 delivered within 1 ms and 3 within 2 ms (one lost); B: 2 sent, both at 3 ms.
        let a = CDFPlot.Series(name: "A", sent: 4, steps: [(1_000_000, 1), (2_000_000, 3)])
        let b = CDFPlot.Series(name: "B", sent: 2, steps: [(3_000_000, 2)])
        let plot = CDFPlot(title: "t", series: [a, b], window: DelayWindow(min: 1_500_000, max: 2_500_000))
        let svg = plot.svg
        // x: 1–3 ms in steps of 0.5 over 460 px; y: share 0–1 over 350 px, 1 at the top.
        XCTAssertEqual(try points(svg, series: "A"),
                       ["70.00,390.00", "70.00,390.00", "70.00,302.50", "300.00,302.50", "300.00,127.50", "530.00,127.50"],
                       "A ends at 3 of 4 sent: y = 40 + 0.25 × 350, and never reaches 1")
        XCTAssertEqual(try points(svg, series: "B").last, "530.00,40.00", "every packet B sent arrived")
        XCTAssertEqual(try attribute("x", of: "class=\"window\"", in: svg), "185.00", "x(1.5 ms) = 70 + 0.25 × 460")
        XCTAssertEqual(try attribute("width", of: "class=\"window\"", in: svg), "230.00", "to x(2.5 ms) = 415")
        XCTAssertTrue(svg.contains(">window 1.5–2.5 ms<"), svg)
        XCTAssertTrue(svg.contains(">one-way delay (ms)<") && svg.contains(">share of packets sent<"))
        // Legend: counts, and the nearest-rank percentiles of the delivered packets (A: 1, 2, 2 ms).
        XCTAssertTrue(svg.contains("<tspan>A</tspan><tspan x=\"575.00\" dy=\"13\" font-size=\"10\">3 of 4 sent delivered</tspan>"
                                   + "<tspan x=\"575.00\" dy=\"13\" font-size=\"10\">p50 2, p99 2 ms (circles)</tspan>"), svg)
        XCTAssertTrue(svg.contains("<tspan>B</tspan><tspan x=\"575.00\" dy=\"13\" font-size=\"10\">2 of 2 sent delivered</tspan>"
                                   + "<tspan x=\"575.00\" dy=\"13\" font-size=\"10\">p50 3, p99 3 ms (circles)</tspan>"), svg)
        XCTAssertTrue(svg.contains("data-series=\"A\" data-percentile=\"p50\" cx=\"300.00\" cy=\"127.50\""), "p50 of A on its curve")
        XCTAssertEqual(svg, CDFPlot(title: "t", series: [a, b], window: DelayWindow(min: 1_500_000, max: 2_500_000)).svg)
        XCTAssertNotEqual(svg, CDFPlot(title: "t", series: [b, a], window: DelayWindow(min: 1_500_000, max: 2_500_000)).svg)
    }

    func testAFlowsCDFFileEndsAtDeliveredOverSent() throws {
        let results = try emulate(chain(flows: """
          - {name: p, from: h1, to: h2, rate: 10kpps, size: 500, window: {min: 1ms, max: 3ms}}
        """, link: """
            loss: 0.2
        """, duration: "20ms"))
        let flow = results.flows[0]
        XCTAssertGreaterThan(flow.sent - flow.delivered, 10, "the link must lose packets for the test to mean anything")
        let svg = try XCTUnwrap(results.files.first { $0.name == "cdf-p.svg" }.map { String(decoding: $0.contents, as: UTF8.self) })
        let share = Double(flow.delivered) / Double(flow.sent)
        XCTAssertEqual(try points(svg, series: "p").last, "530.00,\(SVGText.n(40 + (1 - share) * 350))")
        XCTAssertTrue(svg.contains(">\(flow.delivered) of \(flow.sent) sent delivered<"), svg)
        XCTAssertTrue(svg.contains("class=\"window\""))
    }

    func testTimelineMergesBinsAsTheRunGrows() {
        var timeline = DeliveryTimeline()
        timeline.record(bytes: 100, at: 500_000)
        timeline.record(bytes: 200, at: 1_500_000)
        XCTAssertEqual(timeline.binWidth, 1_000_000)
        XCTAssertEqual(timeline.bytes, [100, 200])
        // 70 ms is past 64 bins of 1 ms: bins double to 2 ms, the first two merge.
        timeline.record(bytes: 50, at: 70_000_000)
        XCTAssertEqual(timeline.binWidth, 2_000_000)
        XCTAssertEqual(timeline.bytes, [300] + Array(repeating: 0, count: 34) + [50])
        XCTAssertEqual(timeline.bytes(perBinOf: 4_000_000, until: 72_000_000), [300] + Array(repeating: 0, count: 16) + [50])
    }

    func testThroughputSeriesInMegabitsPerSecondOverVirtualTime() throws {
        // 125 B in the first millisecond (1 Mbit/s), 250 B in the second (2 Mbit/s).
        var timeline = DeliveryTimeline()
        timeline.record(bytes: 125, at: 0)
        timeline.record(bytes: 250, at: 1_000_000)
        let svg = TimeSeriesPlot(title: "t", series: [.init(name: "f", timeline: timeline)], duration: 2_000_000).svg
        // x: 0–2 ms over 460 px; y: 0–2 Mbit/s over 350 px.
        XCTAssertEqual(try points(svg, series: "f"), ["70.00,215.00", "300.00,215.00", "300.00,40.00", "530.00,40.00"])
        XCTAssertTrue(svg.contains(">delivered throughput (Mbit/s)<") && svg.contains(">virtual time (ms); bins of 1 ms<"), svg)
        XCTAssertTrue(svg.contains(">mean 1.5 Mbit/s<"), svg)
    }

    func testTopologyIsLaidOutInColumnsByHopsFromEachPartsFirstNode() throws {
        let topology = try parse("""
        duration: 1ms
        nodes:
          h1: {kind: host, interfaces: {eth0: "0x01"}}
          r1: {kind: router, interfaces: {eth0: "0x02", eth1: "0x03"}}
          h2: {kind: host, interfaces: {eth0: "0x04"}}
          a: {kind: host, interfaces: {eth0: "0x05"}}
          b: {kind: host, interfaces: {eth0: "0x06"}}
        links:
          - {endpoints: [h1:eth0, r1:eth0], rate: 20Mbps, delay: 5ms}
          - {endpoints: [r1:eth1, h2:eth0], rate: 1Gbps, delay: 1ms}
          - {endpoints: [a:eth0, b:eth0], rate: 250kbps, delay: 2500us}
        flows:
          - {name: f, from: h1, to: h2, rate: 1pps, size: 100}
        """)
        let plot = TopologyPlot(topology: topology)
        XCTAssertEqual(plot.places.map { [$0.column, $0.row] }, [[0, 0], [1, 0], [2, 0], [0, 1], [1, 1]])
        let svg = plot.svg
        // Node boxes 96 × 26 centred at x = 88 + 190 × column, y = 60 + 56 × row.
        XCTAssertEqual(try attribute("x", of: "data-node=\"h2\"", in: svg), "420.00")
        XCTAssertEqual(try attribute("y", of: "data-node=\"b\"", in: svg), "103.00")
        XCTAssertTrue(svg.contains(">20 Mbps, 5 ms<") && svg.contains(">250 kbps, 2.5 ms<"), svg)
        XCTAssertTrue(svg.contains(">f: h1 → h2<"), svg)
        XCTAssertEqual(svg, TopologyPlot(topology: topology).svg)
    }
}

extension PlotTests {
    /// A seed sweep's chart: per flow slot (two flows: slots 0–1 and 1–2 over 460 px), each
    /// metric's mean as a dot and its 95 % interval as a whisker at the slot's centre ± 0.18
    /// per metric; a flow without a window has no on-time estimate, so no mark.
    func testSweepChartsDrawEachMeanAndIntervalWhereTheEstimatesSay() throws {
        let yaml = chain(flows: """
          - {name: p, from: h1, to: h2, pattern: poisson, rate: 20kpps, size: 500, window: {min: 0ms, max: 3ms}}
          - {name: q, from: h2, to: h1, pattern: constant, rate: 1kpps, size: 500}
        """, link: """
            loss: 0.05
        """, duration: "20ms")
        let sweep = SeedSweep(name: "chain", runs: try (1...3).map { SeedSweep.Run(try emulate(yaml, seed: UInt64($0))) })
        let svg = try XCTUnwrap(sweep.plots.first { $0.name == "summary-shares.svg" }?.svg)
        let delivered = sweep.flows[0].estimate(.deliveredShare)
        // p's delivered share: slot 0, first of three metrics: 0.5 − 0.18 = 0.32 → x = 70 + 0.16 × 460.
        XCTAssertTrue(svg.contains("<line x1=\"143.60\" y1=\"\(SVGText.n(40 + (1 - delivered.low!) * 350))\" x2=\"143.60\" "
                                   + "y2=\"\(SVGText.n(40 + (1 - delivered.high!) * 350))\""), svg)
        XCTAssertTrue(svg.contains("data-flow=\"p\" data-metric=\"delivered_share\" cx=\"143.60\" "
                                   + "cy=\"\(SVGText.n(40 + (1 - delivered.mean!) * 350))\""), svg)
        XCTAssertTrue(svg.contains("data-flow=\"p\" data-metric=\"on_time_share\""))
        XCTAssertFalse(svg.contains("data-flow=\"q\" data-metric=\"on_time_share\""), "q has no window")
        XCTAssertTrue(svg.contains(">p</text>") && svg.contains(">q</text>"), "the flows name the slots")
        XCTAssertEqual(sweep.plots.map(\.svg), SeedSweep(name: "chain", runs: try (1...3).map { SeedSweep.Run(try emulate(yaml, seed: UInt64($0))) }).plots.map(\.svg))
    }
}
