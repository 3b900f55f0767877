/// The baselines' pictures, named as files: per flow judged against a window, its delay CDF
/// under every variant on one chart (window shaded, shares of packets sent); per flow shown
/// in the table, its delivered throughput over virtual time under every variant; the
/// bottleneck's queue depth under every variant; and the topology.
extension QueueBaselines {
    public struct Plot: Sendable {
        /// A file name (`cdf-surgery-lbf.svg`).
        public var name: String
        public var title: String
        public var svg: String
    }

    public var plots: [Plot] {
        var plots: [Plot] = []
        for name in flowNames {
            let flows = Variant.allCases.compactMap { variant in flow(name, variant).map { (variant, $0) } }
            guard let first = flows.first?.1, let window = first.window else { continue }
            let title = "\(name): one-way delay under each queue discipline"
            plots.append(Plot(name: "cdf-\(name).svg", title: title,
                              svg: CDFPlot(title: title, series: flows.map { CDFPlot.Series(name: $0.0.rawValue, flow: $0.1) },
                                           window: window).svg))
        }
        for name in flowNames {
            let flows = Variant.allCases.compactMap { variant in flow(name, variant).map { (variant, $0) } }
            let title = "\(name): delivered throughput under each queue discipline"
            plots.append(Plot(name: "throughput-\(name).svg", title: title,
                              svg: TimeSeriesPlot(title: title, series: flows.map { TimeSeriesPlot.Series(name: $0.0.rawValue, timeline: $0.1.timeline) },
                                                  duration: topology.duration).svg))
        }
        if let queueDepthPlot { plots.append(queueDepthPlot) }
        plots.append(Plot(name: "topology.svg", title: "The network: \(topology.name)", svg: TopologyPlot(topology: topology).svg))
        return plots
    }
}
