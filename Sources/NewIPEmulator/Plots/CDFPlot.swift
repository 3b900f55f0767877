import Foundation
import NewIPJSON
import NewIPTopology

/// A latency CDF as a self-contained SVG: axes with ticks and labels, and one step polyline.
/// Plain text with fixed number formats, so the same points give the same bytes.
enum CDFPlot {
    static let width = 640.0, height = 400.0
    static let left = 70.0, right = 20.0, top = 40.0, bottom = 50.0

    static func svg(title: String, points: [(latency: Int64, fraction: Double)]) -> String {
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let bottomEdge = top + plotHeight
        let low = Double(points.first?.latency ?? 0), high = Double(points.last?.latency ?? 1)
        let unit = timeUnit(for: high)
        let axis = NiceAxis(low: low / unit.scale, high: high / unit.scale)
        func x(_ value: Double) -> Double { left + (value - axis.low) / (axis.high - axis.low) * plotWidth }
        func y(_ fraction: Double) -> Double { top + (1 - fraction) * plotHeight }

        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
            + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
            + text(width / 2, 20, escaped(title), extra: " font-size=\"14\"")
            + line(left, bottomEdge, left + plotWidth, bottomEdge) + line(left, top, left, bottomEdge)
        for tick in axis.ticks {
            svg += line(x(tick), bottomEdge, x(tick), bottomEdge + 5)
            svg += text(x(tick), bottomEdge + 18, DecimalText.fixed(tick, digits: axis.digits))
        }
        for step in 0...4 {
            let fraction = Double(step) / 4
            svg += line(left - 5, y(fraction), left, y(fraction))
            svg += line(left, y(fraction), left + plotWidth, y(fraction), stroke: "#ddd")
            svg += text(left - 8, y(fraction) + 4, DecimalText.fixed(fraction, digits: 2), anchor: "end")
        }
        svg += text(left + plotWidth / 2, height - 10, "one-way delay (\(unit.name))")
        svg += text(15, top + plotHeight / 2, "fraction of packets",
                    extra: " transform=\"rotate(-90 15 \(n(top + plotHeight / 2)))\"")
        guard !points.isEmpty else {
            return svg + text(left + plotWidth / 2, top + plotHeight / 2, "no packet delivered") + "</svg>\n"
        }
        // A step function: up at each latency to the fraction delivered by then.
        var coordinates = ["\(n(x(low / unit.scale))),\(n(y(0)))"]
        var previous = 0.0
        for point in points {
            let position = n(x(Double(point.latency) / unit.scale))
            coordinates.append("\(position),\(n(y(previous)))")
            coordinates.append("\(position),\(n(y(point.fraction)))")
            previous = point.fraction
        }
        svg += "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"\(coordinates.joined(separator: " "))\"/>\n"
        return svg + "</svg>\n"
    }

    private static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "black") -> String {
        "<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(stroke)\"/>\n"
    }

    private static func text(_ x: Double, _ y: Double, _ content: String, anchor: String = "middle", extra: String = "") -> String {
        "<text x=\"\(n(x))\" y=\"\(n(y))\" text-anchor=\"\(anchor)\"\(extra)>\(content)</text>\n"
    }

    /// The unit that keeps the largest latency readable.
    private static func timeUnit(for nanoseconds: Double) -> (name: String, scale: Double) {
        switch nanoseconds {
        case ..<1_000: ("ns", 1)
        case ..<1_000_000: ("µs", 1_000)
        case ..<1_000_000_000: ("ms", 1_000_000)
        default: ("s", 1_000_000_000)
        }
    }

    private static func n(_ value: Double) -> String { DecimalText.fixed(value, digits: 2) }

    private static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}

/// An axis from a round number below the data to one above, with ticks every 1, 2 or 5
/// times a power of ten (about five of them).
struct NiceAxis {
    let low: Double
    let high: Double
    let step: Double
    /// Decimals that show the step exactly.
    let digits: Int

    init(low dataLow: Double, high dataHigh: Double) {
        let span = max(dataHigh - dataLow, abs(dataHigh) * 0.1, 1e-9)
        // Data on (almost) one value is centred in a span of a tenth of it.
        let padding = (span - (dataHigh - dataLow)) / 2
        let dataLow = dataLow - padding, dataHigh = dataHigh + padding
        let magnitude = pow(10, (log10(span / 5)).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { span / $0 <= 6 } ?? 10 * magnitude
        var low = (dataLow / step).rounded(.down) * step
        var high = (dataHigh / step).rounded(.up) * step
        if high <= low { low -= step; high += step }
        self.low = max(0, low)
        self.high = high
        self.step = step
        digits = max(0, Int(-log10(step).rounded(.down)))
    }

    var ticks: [Double] {
        let count = Int(((high - low) / step).rounded())
        return (0...count).map { low + Double($0) * step }
    }
}
