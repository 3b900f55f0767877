import NewIPDataPlane

/// An egress queue's depth over virtual time, one step line per series (the same link under
/// different queue disciplines), each bin drawn at its time-weighted mean of queued packets,
/// so a picture of a few hundred bins stays exact in what it shows (the CSV has every change).
struct QueueDepthPlot {
    struct Series {
        var name: String
        var depth: QueueDepthSeries
    }

    let title: String
    let series: [Series]
    let duration: Nanoseconds
    let binWidth: Nanoseconds
    let means: [[Double]]
    let frame: PlotFrame
    let unit: (name: String, scale: Double)

    /// Bins of a round width (1, 2 or 5 times a power of ten ns) giving at most `bins`.
    init(title: String, series: [Series], duration: Nanoseconds, bins: Int = 400) {
        self.title = title
        self.series = series
        self.duration = duration
        var width: Nanoseconds = 1
        while duration > width * Nanoseconds(bins) {
            let digits = String(width)
            width = digits.hasPrefix("1") ? width * 2 : digits.hasPrefix("2") ? width / 2 * 5 : width * 2
        }
        binWidth = width
        means = series.map { $0.depth.meanPackets(perBinOf: width, until: duration) }
        unit = PlotFrame.timeUnit(for: Double(duration))
        frame = PlotFrame(xAxis: NiceAxis(low: 0, high: Double(duration) / unit.scale),
                          yAxis: NiceAxis(low: 0, high: max(means.flatMap { $0 }.max() ?? 0, 1)))
    }

    func points(_ index: Int) -> [(x: Double, y: Double)] {
        means[index].enumerated().flatMap { bin, mean -> [(x: Double, y: Double)] in
            let start = Double(Int64(bin) * binWidth), end = Double(min(Int64(bin + 1) * binWidth, duration))
            return [(frame.x(start / unit.scale), frame.y(mean)), (frame.x(end / unit.scale), frame.y(mean))]
        }
    }

    var svg: String {
        let bin = NiceAxis.label(Double(binWidth) / 1_000_000)
        var svg = frame.opening(title: title, xLabel: "virtual time (\(unit.name)); mean per bin of \(bin) ms",
                                yLabel: "queued packets")
        for index in series.indices {
            let colour = SVGText.colour(index)
            svg += SVGText.polyline(points(index), stroke: colour.stroke, series: series[index].name, dashed: colour.dashed)
        }
        svg += PlotFrame.legend(series.map { series in
            let samples = series.depth.samples
            let mean = series.depth.meanPackets(perBinOf: max(duration, 1), until: duration).first ?? 0
            return (series.name, ["mean \(NiceAxis.label((mean * 100).rounded() / 100)) packets",
                                  "max \(samples.map(\.packets).max() ?? 0) packets, \(samples.map(\.bytes).max() ?? 0) bytes"])
        })
        return svg + "</svg>\n"
    }
}
