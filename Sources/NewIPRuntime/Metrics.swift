/// Prometheus text exposition (format 0.0.4) of the node's counters.
///
/// The data path counts in plain integers owned by the node's event loop (no atomics, no
/// locks per packet); this renders them when `/metrics` is scraped, on the same loop.
extension Node {
    func prometheusText() -> String {
        var out = ""
        let node = escape(config.name)
        func family(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        func sample(_ name: String, _ labels: [(String, String)], _ value: some Numeric) {
            let text = ([("node", node)] + labels).map { "\($0.0)=\"\($0.1)\"" }.joined(separator: ",")
            out += "\(name){\(text)} \(value)\n"
        }
        let indices = Array(0...config.interfaces.count)
        family("newip_interface_rx_packets_total", "counter", "Packets received on the interface (app: sent by local applications).")
        for i in indices { sample("newip_interface_rx_packets_total", [("interface", interfaceName(i))], counters[i].rxPackets) }
        family("newip_interface_rx_bytes_total", "counter", "Bytes received on the interface.")
        for i in indices { sample("newip_interface_rx_bytes_total", [("interface", interfaceName(i))], counters[i].rxBytes) }
        family("newip_interface_tx_packets_total", "counter", "Packets sent on the interface (app: handed to local applications).")
        for i in indices { sample("newip_interface_tx_packets_total", [("interface", interfaceName(i))], counters[i].txPackets) }
        family("newip_interface_tx_bytes_total", "counter", "Bytes sent on the interface.")
        for i in indices { sample("newip_interface_tx_bytes_total", [("interface", interfaceName(i))], counters[i].txBytes) }
        family("newip_delivered_total", "counter", "Packets for this node, by the interface they arrived on.")
        for i in indices { sample("newip_delivered_total", [("interface", interfaceName(i))], counters[i].delivered) }
        family("newip_drops_total", "counter", "Packets dropped, by interface and reason (queue drops on the egress interface).")
        for i in indices {
            let drops = drops(i)
            for reason in NodeDropReason.allCases {
                sample("newip_drops_total", [("interface", interfaceName(i)), ("reason", reason.label)], drops[reason] ?? 0)
            }
        }
        family("newip_queue_packets", "gauge", "Packets waiting in the interface's egress queue.")
        for i in config.interfaces.indices { sample("newip_queue_packets", [("interface", interfaceName(i))], dataPlane.queueDepth(i).packets) }
        family("newip_queue_bytes", "gauge", "Bytes waiting in the interface's egress queue.")
        for i in config.interfaces.indices { sample("newip_queue_bytes", [("interface", interfaceName(i))], dataPlane.queueDepth(i).bytes) }
        family("newip_lbf_on_time_total", "counter", "Latency-based packets that left within their window.")
        for i in config.interfaces.indices { sample("newip_lbf_on_time_total", [("interface", interfaceName(i))], counters[i].lbfOnTime) }
        family("newip_lbf_on_time_ratio", "gauge",
               "On time / (on time + late in the queue + dropped on arrival as unable to make the deadline); 1 with no LBF traffic.")
        let missedOnArrival = counters.reduce(0) { $0 + $1.drops[NodeDropReason.cannotMakeDeadline.rawValue] }
        var onTime = 0, late = 0
        for i in config.interfaces.indices where dataPlane.isLatencyBased(i) {
            onTime += counters[i].lbfOnTime
            late += counters[i].drops[NodeDropReason.late.rawValue]
        }
        let total = onTime + late + missedOnArrival
        sample("newip_lbf_on_time_ratio", [], total == 0 ? 1.0 : Double(onTime) / Double(total))
        if gateway != nil {
            family("newip_translations_total", "counter", "Packets a gateway translated, by direction.")
            sample("newip_translations_total", [("direction", "compact_to_ip")], translations.compactToIP)
            sample("newip_translations_total", [("direction", "ip_to_compact")], translations.ipToCompact)
        }
        family("newip_packet_buffers_out", "gauge", "Packet buffers out of the pool (queued or in flight).")
        sample("newip_packet_buffers_out", [], dataPlane.buffersOut)
        family("newip_process_resident_memory_bytes", "gauge", "Resident set size of the node process.")
        sample("newip_process_resident_memory_bytes", [], Self.residentBytes())
        return out
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}
