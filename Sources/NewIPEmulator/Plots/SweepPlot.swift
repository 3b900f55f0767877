/// A seed sweep's estimates per flow: the mean of each metric as a dot and its 95 %
/// confidence interval as a whisker, metrics side by side within a flow. One chart for the
/// shares of packets sent, one for the delays.
struct SweepPlot {
    let title: String
    let sweep: SeedSweep
    let metrics: [SeedSweep.Metric]
    let frame: PlotFrame
    /// Divides a metric's values into the y axis's unit (1 for shares, 10⁶ for ns as ms).
    let scale: Double
    let yLabel: String

    init(sweep: SeedSweep, shares: Bool) {
        self.sweep = sweep
        let metrics: [SeedSweep.Metric] = shares ? [.deliveredShare, .onTimeShare, .byDeadlineShare] : [.latencyP50, .latencyP99]
        let scale: Double = shares ? 1 : 1_000_000
        self.metrics = metrics
        self.scale = scale
        yLabel = shares ? "share of packets sent" : "one-way delay (ms)"
        title = "\(sweep.name): \(shares ? "shares of packets sent" : "delays") per flow over \(sweep.seeds.count) seeds "
            + "(\(sweep.seeds.first ?? 0)–\(sweep.seeds.last ?? 0)): mean and 95 % CI"
        let highs = sweep.flows.flatMap { flow in metrics.compactMap { flow.estimate($0).high ?? flow.estimate($0).mean } }
        let yAxis = shares ? NiceAxis.share : NiceAxis(low: 0, high: (highs.max() ?? 1) / scale)
        frame = PlotFrame(xAxis: NiceAxis(exactLow: 0, high: Double(Swift.max(sweep.flows.count, 1)), step: 1), yAxis: yAxis)
    }

    /// Where a metric of the flow at `index` stands: the flow's slot, metrics spread across it.
    func position(flow index: Int, metric: Int) -> Double {
        Double(index) + 0.5 + (Double(metric) - Double(metrics.count - 1) / 2) * 0.18
    }

    var svg: String {
        let categories = sweep.flows.enumerated().map { (Double($0.offset) + 0.5, $0.element.name) }
        var svg = frame.opening(title: title, xLabel: "", yLabel: yLabel, categories: categories)
        for (index, flow) in sweep.flows.enumerated() {
            for (column, metric) in metrics.enumerated() {
                let estimate = flow.estimate(metric)
                guard let mean = estimate.mean else { continue }
                let x = frame.x(position(flow: index, metric: column)), colour = SVGText.colour(column).stroke
                let attributes = " class=\"estimate\" data-flow=\"\(SVGText.escaped(flow.name))\" data-metric=\"\(metric.rawValue)\""
                if let low = estimate.low, let high = estimate.high {
                    svg += SVGText.line(x, frame.y(low / scale), x, frame.y(high / scale), stroke: colour, extra: " stroke-width=\"1.5\"" + attributes)
                    for end in [low, high] { svg += SVGText.line(x - 4, frame.y(end / scale), x + 4, frame.y(end / scale), stroke: colour) }
                }
                svg += "<circle\(attributes) cx=\"\(SVGText.n(x))\" cy=\"\(SVGText.n(frame.y(mean / scale)))\" r=\"3.5\" fill=\"\(colour)\"/>\n"
            }
        }
        svg += PlotFrame.legend(metrics.map { ($0.label, ["mean, 95 % CI (Student's t)"]) })
        return svg + "</svg>\n"
    }
}

extension SeedSweep {
    /// The sweep's charts as files: `summary-shares.svg` and `summary-delays.svg`.
    public var plots: [(name: String, svg: String)] {
        [("summary-shares.svg", SweepPlot(sweep: self, shares: true).svg), ("summary-delays.svg", SweepPlot(sweep: self, shares: false).svg)]
    }
}
