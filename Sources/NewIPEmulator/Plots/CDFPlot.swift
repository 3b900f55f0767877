import NewIPDataPlane
import NewIPTopology

/// One-way delay CDFs of one or more series (a flow under several queue disciplines) on one
/// chart, as a share of the packets *sent*: a series that lost packets ends below 1, at
/// delivered/sent. The contract's window [min, max] is shaded; the legend names each series
/// with its sample counts.
struct CDFPlot {
    struct Series {
        var name: String
        var sent: Int
        /// (delay, deliveries at or below it), ascending.
        var steps: [(latency: Nanoseconds, delivered: Int)]

        var delivered: Int { steps.last?.delivered ?? 0 }

        init(name: String, sent: Int, steps: [(latency: Nanoseconds, delivered: Int)]) {
            self.name = name
            self.sent = sent
            self.steps = steps
        }

        init(name: String, flow: FlowResult) {
            self.init(name: name, sent: flow.sent, steps: flow.cdf)
        }

        /// The share of the packets sent that `delivered` packets are.
        func share(_ delivered: Int) -> Double { sent == 0 ? 0 : Double(delivered) / Double(sent) }

        /// The step at the `percentile` of the delivered packets (the smallest delay by which
        /// that many had arrived), or `nil` with none delivered.
        func step(atPercentile percentile: Int) -> (latency: Nanoseconds, delivered: Int)? {
            let needed = (delivered * percentile + 99) / 100
            return steps.first { $0.delivered >= Swift.max(needed, 1) }
        }
    }

    /// The percentiles marked on each curve and named in the legend.
    static let marked = [50, 99]

    let title: String
    let series: [Series]
    let window: DelayWindow?
    let frame: PlotFrame
    /// The x axis's unit: its name and nanoseconds per unit.
    let unit: (name: String, scale: Double)

    init(title: String, series: [Series], window: DelayWindow?) {
        self.title = title
        self.series = series
        self.window = window
        let latencies = series.flatMap { $0.steps.map(\.latency) } + (window.map { [$0.min, $0.max] } ?? [])
        let low = Double(latencies.min() ?? 0), high = Double(latencies.max() ?? 1)
        unit = PlotFrame.timeUnit(for: high)
        frame = PlotFrame(xAxis: NiceAxis(low: low / unit.scale, high: high / unit.scale), yAxis: .share)
    }

    /// The horizontal position of a delay.
    func x(_ latency: Nanoseconds) -> Double { frame.x(Double(latency) / unit.scale) }

    /// The step function's corners: from 0 at the first delay, up at each delay to the share
    /// delivered by then, on to the plot's right edge at the final share.
    func points(_ series: Series) -> [(x: Double, y: Double)] {
        guard let first = series.steps.first else { return [] }
        var points = [(x(first.latency), frame.y(0))]
        var previous = 0.0
        for step in series.steps {
            let share = series.share(step.delivered)
            points.append((x(step.latency), frame.y(previous)))
            points.append((x(step.latency), frame.y(share)))
            previous = share
        }
        points.append((frame.plotRight, frame.y(previous)))
        return points
    }

    var svg: String {
        var svg = frame.opening(title: title, xLabel: "one-way delay (\(unit.name))", yLabel: "share of packets sent")
        if let window {
            let unitName = unit.name
            func label(_ value: Nanoseconds) -> String { NiceAxis.label(Double(value) / unit.scale) }
            svg += SVGText.rect(x(window.min), PlotFrame.top, x(window.max) - x(window.min), PlotFrame.plotHeight,
                                fill: "#2ca02c", extra: " fill-opacity=\"0.15\" class=\"window\"")
            svg += SVGText.text((x(window.min) + x(window.max)) / 2, PlotFrame.top + 14,
                                "window \(label(window.min))–\(label(window.max)) \(unitName)", extra: " fill=\"#1b6e1b\"")
        }
        for (index, series) in series.enumerated() where !series.steps.isEmpty {
            let colour = SVGText.colour(index)
            svg += SVGText.polyline(points(series), stroke: colour.stroke, series: series.name, dashed: colour.dashed)
            for percentile in Self.marked {
                guard let step = series.step(atPercentile: percentile) else { continue }
                svg += "<circle class=\"percentile\" data-series=\"\(SVGText.escaped(series.name))\" data-percentile=\"p\(percentile)\" "
                    + "cx=\"\(SVGText.n(x(step.latency)))\" cy=\"\(SVGText.n(frame.y(series.share(step.delivered))))\" r=\"3.5\" "
                    + "fill=\"white\" stroke=\"\(colour.stroke)\" stroke-width=\"1.5\"/>\n"
            }
        }
        if series.allSatisfy({ $0.steps.isEmpty }) {
            svg += SVGText.text(PlotFrame.left + PlotFrame.plotWidth / 2, PlotFrame.top + PlotFrame.plotHeight / 2, "no packet delivered")
        }
        svg += PlotFrame.legend(series.map { series in
            let marks = Self.marked.compactMap { percentile in
                series.step(atPercentile: percentile).map { "p\(percentile) \(NiceAxis.label(Double($0.latency) / unit.scale))" }
            }
            return (series.name, ["\(series.delivered) of \(series.sent) sent delivered"]
                + (marks.isEmpty ? [] : [marks.joined(separator: ", ") + " \(unit.name) (circles)"]))
        })
        return svg + "</svg>\n"
    }
}
