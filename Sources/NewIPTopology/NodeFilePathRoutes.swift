import NewIPDataPlane
import NewIPWire

extension NodeConfig {
    /// The routes a router uses for packets carrying one sender path constraint (`path-routes:`,
    /// docs/node.md, "Path constraints"): computed over the part of the network the constraint
    /// allows. A constrained packet whose constraint has no entry here, or whose destination has
    /// no route in it, is dropped as `path-constraint`, never forwarded as if unconstrained.
    /// `nip up` writes them from the topology's constrained flows.
    public struct PathRoutes: Sendable, Equatable {
        /// The item the packets carry: its mode and domain numbers (as a topology numbers its domains).
        public var constraint: PathConstraintItem
        public var routes: [StaticRoute]

        public init(constraint: PathConstraintItem, routes: [StaticRoute]) {
            self.constraint = constraint
            self.routes = routes
        }
    }

    /// The `path-routes:` section as YAML, empty when the node has none.
    var pathRoutesYAML: String {
        guard !pathRoutes.isEmpty else { return "" }
        var out = "path-routes:\n"
        for entry in pathRoutes {
            let numbers = entry.constraint.domains.map(String.init).joined(separator: ", ")
            out += "  - constraint: {\(entry.constraint.mode.name): [\(numbers)]}\n"
            out += "    routes:\(entry.routes.isEmpty ? " []" : "")\n"
            for route in entry.routes { out += "      - \(route.yaml)\n" }
        }
        return out
    }
}

extension NodeConfig.StaticRoute {
    /// `{prefix, via, to-delay, to-hops}` as a node file writes it.
    var yaml: String {
        "{prefix: \"\(RouteText.text(prefix))\", via: \(interface), to-delay: \(UnitText.duration(toDelay)), to-hops: \(toHops)}"
    }
}

extension NodeFileParser {
    /// `path-routes: [{constraint: {avoid: [2]}, routes: [...]}, ...]`: for a router or gateway.
    func pathRoutes(_ node: YAMLNode, role: NodeConfig.Role, dialect: PacketDialect, interfaces: [String],
                    tuns: Set<String>) -> [NodeConfig.PathRoutes] {
        guard let items = reader.sequence(node, "`path-routes`") else { return [] }
        if role == .host {
            reader.error(node, "a host forwards nothing, so it has no routes for path constraints",
                         fix: "remove `path-routes:`, or set `role: router`")
            return []
        }
        var result: [NodeConfig.PathRoutes] = []
        for item in items {
            guard let f = reader.fields(item, "path routes", allowed: ["constraint", "routes"], required: ["constraint", "routes"]),
                  let constraintNode = f["constraint"], let constraint = constraint(constraintNode) else { continue }
            if result.contains(where: { $0.constraint == constraint }) {
                reader.error(constraintNode, "routes for this constraint are given twice", fix: "merge them into one entry")
                continue
            }
            let routes = f["routes"].flatMap { reader.sequence($0, "`routes` of a path constraint") }?.compactMap {
                route($0, dialect: dialect, interfaces: interfaces, tuns: tuns)
            } ?? []
            result.append(NodeConfig.PathRoutes(constraint: constraint, routes: routes))
        }
        return result
    }

    /// `{avoid: [2]}` or `{only-through: [1, 3]}`: domain numbers.
    private func constraint(_ node: YAMLNode) -> PathConstraintItem? {
        let modes = PathConstraintItem.Mode.allCases
        guard let f = reader.fields(node, "a path constraint", allowed: modes.map(\.name)) else { return nil }
        let given = modes.filter { f[$0.name] != nil }
        guard given.count == 1, let mode = given.first, let list = f[mode.name] else {
            reader.error(node, "a path constraint is one of `avoid` or `only-through`", fix: "write e.g. `{avoid: [2]}` (domain numbers)")
            return nil
        }
        let items = reader.items(list)
        let numbers = items.compactMap { reader.integer($0, "domain number", in: 1...65535) }
        guard numbers.count == items.count else { return nil }
        guard (1...PathConstraintItem.maximumDomains).contains(numbers.count) else {
            reader.error(list, "a path constraint lists 1 to \(PathConstraintItem.maximumDomains) domains, not \(numbers.count)",
                         fix: "write e.g. `{avoid: [2]}`")
            return nil
        }
        return PathConstraintItem(mode: mode, domains: numbers.map { UInt16($0) })
    }
}
