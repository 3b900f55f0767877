import NewIPDataPlane
import NewIPTopology

/// The bottleneck's queue under each variant: which link direction it is, and its depth over
/// time (for the report's plot and CSV).
extension QueueBaselines {
    /// The direction of a replaced (LBF-as-written) link whose queue was deepest on average
    /// under FIFO, by its name (`r1:eth2->r2:eth0`); `nil` when no run recorded queue depth.
    public var bottleneck: String? {
        let replaced = Set(topology.links.enumerated().filter { $0.element.queue.discipline == .lbf }.flatMap { index, _ in
            [2 * index, 2 * index + 1]
        })
        let links = run(.fifo).results.links
        return links.indices.filter { replaced.contains($0) && links[$0].queueDepth != nil }
            .max { (links[$0].meanQueue, $1) < (links[$1].meanQueue, $0) }.map { links[$0].name }
    }

    /// Per variant, the bottleneck's recorded depth.
    public var bottleneckDepth: [(variant: Variant, depth: QueueDepthSeries)] {
        guard let bottleneck else { return [] }
        return runs.compactMap { run in
            run.results.links.first { $0.name == bottleneck }?.queueDepth.map { (run.variant, $0) }
        }
    }

    /// Every change of the bottleneck's queue under every variant: `variant,link,time_ns,packets,bytes`.
    public var bottleneckDepthCSV: String {
        CSVText.table(header: ["variant", "link", "time_ns", "packets", "bytes"], rows: bottleneckDepth.flatMap { variant, depth in
            depth.samples.map { [variant.rawValue, bottleneck ?? "", String($0.time), String($0.packets), String($0.bytes)] }
        })
    }

    /// The bottleneck's depth under every variant on one chart.
    var queueDepthPlot: Plot? {
        guard let bottleneck, !bottleneckDepth.isEmpty else { return nil }
        let title = "\(bottleneck): egress queue depth under each queue discipline"
        let plot = QueueDepthPlot(title: title, series: bottleneckDepth.map { .init(name: $0.variant.rawValue, depth: $0.depth) },
                                  duration: topology.duration)
        return Plot(name: "queue-depth-bottleneck.svg", title: title, svg: plot.svg)
    }
}
