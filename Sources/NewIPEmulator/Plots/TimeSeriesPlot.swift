import NewIPDataPlane

/// Delivered throughput over virtual time, one step line per series (a flow, or a flow under
/// one queue discipline), on bins common to all series (the widest of theirs).
struct TimeSeriesPlot {
    struct Series {
        var name: String
        var timeline: DeliveryTimeline
    }

    let title: String
    let series: [Series]
    let duration: Nanoseconds
    let binWidth: Nanoseconds
    /// Megabits per second per bin, per series.
    let rates: [[Double]]
    let frame: PlotFrame
    let unit: (name: String, scale: Double)

    init(title: String, series: [Series], duration: Nanoseconds) {
        self.title = title
        self.series = series
        self.duration = duration
        let binWidth = series.map(\.timeline.binWidth).max() ?? 1_000_000
        self.binWidth = binWidth
        rates = series.map { series in
            series.timeline.bytes(perBinOf: binWidth, until: duration).map { Double($0 * 8) / Double(binWidth) * 1_000 }
        }
        unit = PlotFrame.timeUnit(for: Double(duration))
        frame = PlotFrame(xAxis: NiceAxis(low: 0, high: Double(duration) / unit.scale),
                          yAxis: NiceAxis(low: 0, high: max(rates.flatMap { $0 }.max() ?? 0, 0.001)))
    }

    /// The step line of one series: flat across each bin at its rate.
    func points(_ index: Int) -> [(x: Double, y: Double)] {
        rates[index].enumerated().flatMap { bin, rate -> [(x: Double, y: Double)] in
            let start = Double(Int64(bin) * binWidth), end = Double(min(Int64(bin + 1) * binWidth, duration))
            return [(frame.x(start / unit.scale), frame.y(rate)), (frame.x(end / unit.scale), frame.y(rate))]
        }
    }

    var svg: String {
        var svg = frame.opening(title: title, xLabel: "virtual time (\(unit.name)); bins of \(NiceAxis.label(Double(binWidth) / 1_000_000)) ms",
                                yLabel: "delivered throughput (Mbit/s)")
        for index in series.indices {
            let colour = SVGText.colour(index)
            svg += SVGText.polyline(points(index), stroke: colour.stroke, series: series[index].name, dashed: colour.dashed)
        }
        svg += PlotFrame.legend(series.enumerated().map { index, series in
            let bytes = series.timeline.bytes.reduce(0, +)
            let mean = duration == 0 ? 0 : Double(bytes * 8) / Double(duration) * 1_000
            return (series.name, ["mean \(NiceAxis.label((mean * 100).rounded() / 100)) Mbit/s"])
        })
        return svg + "</svg>\n"
    }
}
