import NewIPDataPlane
import Prometheus

/// The node's Prometheus metrics, rendered by swift-prometheus (text format 0.0.4).
///
/// The data path counts in plain integers owned by the node's event loop — no atomics or locks
/// per packet. A scrape, on the same loop, brings the registry up to date: each counter is
/// advanced by what the node counted since the previous scrape, each gauge set; then the
/// registry renders the text.
final class NodeMetrics {
    let registry = PrometheusCollectorRegistry()
    private let node: String
    /// The registry's counters by name and labels, with the value they were last advanced to.
    private var counters: [String: (counter: Counter, value: Int)] = [:]

    init(node: String) { self.node = node }

    /// Advances counter `name{node, labels}` to `value` (counters only grow).
    func count(_ name: String, _ labels: [(String, String)] = [], _ value: Int) {
        let labels = [("node", node)] + labels
        let key = ([name] + labels.map { "\($0.0)=\($0.1)" }).joined(separator: "\u{0}")
        var entry = counters[key] ?? (registry.makeCounter(descriptor: Self.descriptor(name), labels: labels), 0)
        if value > entry.value { entry.counter.increment(by: Int64(value - entry.value)) }
        entry.value = max(entry.value, value)
        counters[key] = entry
    }

    /// Sets gauge `name{node, labels}`.
    func gauge(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
        registry.makeGauge(descriptor: Self.descriptor(name), labels: [("node", node)] + labels).set(value)
    }

    /// The full metric name (no namespace or unit parts) with its help text.
    private static func descriptor(_ name: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help[name] ?? "")
    }

    static let help: [String: String] = [
        "newip_interface_rx_packets_total": "Packets received on the interface (app: sent by local applications).",
        "newip_interface_rx_bytes_total": "Bytes received on the interface.",
        "newip_interface_tx_packets_total": "Packets sent on the interface (app: handed to local applications).",
        "newip_interface_tx_bytes_total": "Bytes sent on the interface.",
        "newip_delivered_total": "Packets for this node, by the interface they arrived on.",
        "newip_drops_total": "Packets dropped, by interface and reason (queue drops on the egress interface).",
        "newip_queue_packets": "Packets waiting in the interface's egress queue.",
        "newip_queue_bytes": "Bytes waiting in the interface's egress queue.",
        "newip_lbf_on_time_total": "Latency-based packets that left within their window.",
        "newip_lbf_on_time_ratio":
            "On time / (on time + late in the queue + dropped on arrival as unable to make the deadline); 1 with no LBF traffic.",
        "newip_translations_total": "Packets a gateway translated, by direction.",
        "newip_packet_buffers_out": "Packet buffers out of the pool (queued or in flight).",
        "newip_process_resident_memory_bytes": "Resident set size of the node process.",
    ]
}

extension Node {
    /// Updates the registry from the node's counters and renders it; on the node's loop.
    func prometheusText() -> String {
        for i in 0...config.interfaces.count {
            let interface = [("interface", interfaceName(i))]
            metrics.count("newip_interface_rx_packets_total", interface, counters[i].rxPackets)
            metrics.count("newip_interface_rx_bytes_total", interface, counters[i].rxBytes)
            metrics.count("newip_interface_tx_packets_total", interface, counters[i].txPackets)
            metrics.count("newip_interface_tx_bytes_total", interface, counters[i].txBytes)
            metrics.count("newip_delivered_total", interface, counters[i].delivered)
            let drops = drops(i)
            for reason in DropReason.all {
                metrics.count("newip_drops_total", interface + [("reason", reason.label)], drops[reason])
            }
        }
        for i in config.interfaces.indices {
            let interface = [("interface", interfaceName(i))]
            let depth = dataPlane.queueDepth(i)
            metrics.gauge("newip_queue_packets", interface, Double(depth.packets))
            metrics.gauge("newip_queue_bytes", interface, Double(depth.bytes))
            metrics.count("newip_lbf_on_time_total", interface, counters[i].lbfOnTime)
        }
        let missedOnArrival = counters.reduce(0) { $0 + $1.drops[.cannotMakeDeadline] }
        var onTime = 0, late = 0
        for i in config.interfaces.indices where dataPlane.isLatencyBased(i) {
            onTime += counters[i].lbfOnTime
            late += counters[i].drops[.late]
        }
        let total = onTime + late + missedOnArrival
        metrics.gauge("newip_lbf_on_time_ratio", [], total == 0 ? 1.0 : Double(onTime) / Double(total))
        if gateway != nil {
            metrics.count("newip_translations_total", [("direction", "compact_to_ip")], translations.compactToIP)
            metrics.count("newip_translations_total", [("direction", "ip_to_compact")], translations.ipToCompact)
        }
        metrics.gauge("newip_packet_buffers_out", [], Double(dataPlane.buffersOut))
        metrics.gauge("newip_process_resident_memory_bytes", [], Double(Self.residentBytes()))
        return metrics.registry.emitToString()
    }
}
