import NewIPTopology

/// The topology as a picture: nodes in columns by hop distance from the first node of their
/// connected part (parts one below the other, nodes in file order within a column), links
/// labelled with rate and delay, and the flows listed underneath. Depends only on the
/// topology, so the same file gives the same picture.
struct TopologyPlot {
    static let columnWidth = 190.0, rowHeight = 56.0, margin = 40.0, nodeWidth = 96.0, nodeHeight = 26.0

    let topology: Topology
    /// Each node's column and row.
    let places: [(column: Int, row: Int)]

    init(topology: Topology) {
        self.topology = topology
        var neighbours = Array(repeating: [Int](), count: topology.nodes.count)
        for link in topology.links {
            neighbours[link.endpoints.0.node].append(link.endpoints.1.node)
            neighbours[link.endpoints.1.node].append(link.endpoints.0.node)
        }
        var depth = Array(repeating: -1, count: topology.nodes.count)
        var places = Array(repeating: (column: 0, row: 0), count: topology.nodes.count)
        var firstRow = 0
        for start in topology.nodes.indices where depth[start] < 0 {
            // Breadth first from the part's first node: its nodes in the order they are reached.
            depth[start] = 0
            var part = [start], next = 0
            while next < part.count {
                for neighbour in neighbours[part[next]].sorted() where depth[neighbour] < 0 {
                    depth[neighbour] = depth[part[next]] + 1
                    part.append(neighbour)
                }
                next += 1
            }
            var rows: [Int: Int] = [:]
            for node in part.sorted() {
                places[node] = (depth[node], firstRow + rows[depth[node], default: 0])
                rows[depth[node], default: 0] += 1
            }
            firstRow += rows.values.max() ?? 1
        }
        self.places = places
    }

    func centre(_ node: Int) -> (x: Double, y: Double) {
        (Self.margin + Self.nodeWidth / 2 + Double(places[node].column) * Self.columnWidth,
         Self.margin + 20 + Double(places[node].row) * Self.rowHeight)
    }

    var svg: String {
        let columns = (places.map(\.column).max() ?? 0) + 1, rows = (places.map(\.row).max() ?? 0) + 1
        let width = max(2 * Self.margin + Double(columns - 1) * Self.columnWidth + Self.nodeWidth, 480)
        let flowsTop = Self.margin + 20 + Double(rows) * Self.rowHeight
        let height = flowsTop + 30 + Double(topology.flows.count) * 16
        var svg = SVGText.document(width: width, height: height, title: "Topology \(topology.name): nodes, links (rate, delay) and flows")
        for link in topology.links {
            let a = centre(link.endpoints.0.node), b = centre(link.endpoints.1.node)
            svg += SVGText.line(a.x, a.y, b.x, b.y, stroke: "#888", extra: " class=\"link\"")
            svg += SVGText.text((a.x + b.x) / 2, (a.y + b.y) / 2 - 4,
                                "\(Self.rate(link.rate)), \(NiceAxis.label(Double(link.delay) / 1_000_000)) ms",
                                extra: " font-size=\"10\" fill=\"#555\" stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\"")
        }
        for (index, node) in topology.nodes.enumerated() {
            let c = centre(index)
            let fill = switch node.kind { case .host: "#deebf7"; case .router: "#e5e5e5"; case .gateway: "#fde0c5" }
            svg += SVGText.rect(c.x - Self.nodeWidth / 2, c.y - Self.nodeHeight / 2, Self.nodeWidth, Self.nodeHeight, fill: fill,
                                extra: " stroke=\"black\" rx=\"\(node.kind == .host ? 2 : 12)\" class=\"node\" data-node=\"\(SVGText.escaped(node.name))\"")
            svg += SVGText.text(c.x, c.y + 4, node.name)
        }
        svg += SVGText.text(Self.margin, flowsTop, "flows (rounded: routers, orange: gateways, square: hosts)", anchor: "start",
                            extra: " font-weight=\"bold\"")
        for (index, flow) in topology.flows.enumerated() {
            svg += SVGText.text(Self.margin, flowsTop + 18 + Double(index) * 16,
                                "\(flow.name): \(topology.nodes[flow.source.node].name) → \(topology.nodes[flow.destination.node].name)",
                                anchor: "start", extra: " class=\"flow\"")
        }
        return svg + "</svg>\n"
    }

    /// `20 Mbps`, `1 Gbps`, `250 kbps`.
    static func rate(_ rate: BitRate) -> String {
        let bits = Double(rate.bitsPerSecond)
        for (scale, name) in [(1e9, "Gbps"), (1e6, "Mbps"), (1e3, "kbps")] where bits >= scale {
            return "\(NiceAxis.label(bits / scale)) \(name)"
        }
        return "\(rate.bitsPerSecond) bps"
    }
}
