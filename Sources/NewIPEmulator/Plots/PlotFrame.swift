import Foundation
import NewIPJSON

/// What every chart shares: the title, a plot area with round ticks on both axes, axis
/// labels that name their units, a grid, and a legend beside the plot naming each series.
struct PlotFrame {
    static let width = 760.0, height = 440.0
    static let left = 70.0, right = 230.0, top = 40.0, bottom = 50.0
    static let plotWidth = width - left - right, plotHeight = height - top - bottom

    let xAxis: NiceAxis
    let yAxis: NiceAxis

    /// The horizontal position of `value` (in the x axis's units).
    func x(_ value: Double) -> Double { Self.left + (value - xAxis.low) / (xAxis.high - xAxis.low) * Self.plotWidth }
    /// The vertical position of `value` (in the y axis's units).
    func y(_ value: Double) -> Double { Self.top + (1 - (value - yAxis.low) / (yAxis.high - yAxis.low)) * Self.plotHeight }

    var plotRight: Double { Self.left + Self.plotWidth }
    var plotBottom: Double { Self.top + Self.plotHeight }

    /// The document's opening, the axes, ticks, grid and labels; series and `</svg>` follow.
    /// `categories`, when given, label the x axis at their positions instead of its ticks.
    func opening(title: String, xLabel: String, yLabel: String, categories: [(position: Double, label: String)]? = nil) -> String {
        var svg = SVGText.document(width: Self.width, height: Self.height, title: title)
        for tick in yAxis.ticks {
            svg += SVGText.line(Self.left, y(tick), plotRight, y(tick), stroke: "#ddd")
            svg += SVGText.line(Self.left - 5, y(tick), Self.left, y(tick))
            svg += SVGText.text(Self.left - 8, y(tick) + 4, DecimalText.fixed(tick, digits: yAxis.digits), anchor: "end")
        }
        for tick in xAxis.ticks where categories == nil {
            svg += SVGText.line(x(tick), plotBottom, x(tick), plotBottom + 5)
            svg += SVGText.text(x(tick), plotBottom + 18, DecimalText.fixed(tick, digits: xAxis.digits))
        }
        // Category names slant, so long ones do not run into each other.
        for category in categories ?? [] {
            let labelX = x(category.position), labelY = plotBottom + 14
            svg += SVGText.line(labelX, plotBottom, labelX, plotBottom + 5)
            svg += SVGText.text(labelX, labelY, category.label, anchor: "end",
                                extra: " transform=\"rotate(-25 \(SVGText.n(labelX)) \(SVGText.n(labelY)))\"")
        }
        svg += SVGText.line(Self.left, plotBottom, plotRight, plotBottom) + SVGText.line(Self.left, Self.top, Self.left, plotBottom)
        svg += SVGText.text(Self.left + Self.plotWidth / 2, Self.height - 10, xLabel, extra: " class=\"x-label\"")
        svg += SVGText.text(15, Self.top + Self.plotHeight / 2, yLabel,
                            extra: " class=\"y-label\" transform=\"rotate(-90 15 \(SVGText.n(Self.top + Self.plotHeight / 2)))\"")
        return svg
    }

    /// The legend: per entry, a line sample in the series' colour and dash, its name, and
    /// smaller lines of details under it, in order.
    static func legend(_ entries: [(name: String, details: [String])]) -> String {
        var svg = "<g class=\"legend\">\n"
        var rowY = top + 10
        for (index, entry) in entries.enumerated() {
            let sampleX = width - right + 15, textX = SVGText.n(sampleX + 30)
            let colour = SVGText.colour(index)
            svg += SVGText.line(sampleX, rowY, sampleX + 24, rowY, stroke: colour.stroke,
                                extra: " stroke-width=\"2\"" + (colour.dashed ? " stroke-dasharray=\"6 3\"" : ""))
            svg += "<text class=\"legend-entry\" x=\"\(textX)\" y=\"\(SVGText.n(rowY + 4))\">"
                + "<tspan>\(SVGText.escaped(entry.name))</tspan>"
                + entry.details.map { "<tspan x=\"\(textX)\" dy=\"13\" font-size=\"10\">\(SVGText.escaped($0))</tspan>" }.joined()
                + "</text>\n"
            rowY += 24 + 13 * Double(entry.details.count)
        }
        return svg + "</g>\n"
    }

    /// The unit that keeps `nanoseconds` readable: its name and nanoseconds per unit.
    static func timeUnit(for nanoseconds: Double) -> (name: String, scale: Double) {
        switch nanoseconds {
        case ..<1_000: ("ns", 1)
        case ..<1_000_000: ("µs", 1_000)
        case ..<1_000_000_000: ("ms", 1_000_000)
        default: ("s", 1_000_000_000)
        }
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

    /// An axis from exactly `low` to `high` with ticks every `step` (slots of categories).
    init(exactLow low: Double, high: Double, step: Double) {
        self.low = low
        self.high = high
        self.step = step
        digits = 0
    }

    /// An axis for shares of a whole: 0 to 1 in steps of 0.2.
    static let share = NiceAxis(low: 0, high: 1)

    /// `value` with up to three decimals and no trailing zeros (`10`, `2.5`).
    static func label(_ value: Double) -> String {
        var text = DecimalText.fixed(value, digits: 3)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    var ticks: [Double] {
        let count = Int(((high - low) / step).rounded())
        return (0...count).map { low + Double($0) * step }
    }
}
