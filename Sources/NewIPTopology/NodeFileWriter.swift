import NewIPDataPlane

extension NodeConfig {
    /// The configuration as a node file (docs/node.md), as `nip up` writes it; `parse(yaml:)`
    /// reads it back to an equal configuration.
    public var yaml: String {
        func quoted(_ text: String) -> String { "\"\(text)\"" }
        var out = "# Written by nip up.\nname: \(name)\nrole: \(role.rawValue)\n"
        out += "dialect: \(dialect == .compact ? "compact" : "framework")\n"
        out += "control: \(control)\n"
        if let app { out += "app: \(app)\n" }
        if let authToken { out += "auth-token: \(quoted(authToken))\n" }
        if spoofer { out += "spoofer: true\n" }
        if !addresses.isEmpty { out += "addresses: [\(addresses.map { quoted($0.description) }.joined(separator: ", "))]\n" }
        switch pingHops {
        case .counting(let limit): out += "ping-hops: \(limit)\n"
        case .remaining: out += "ping-hops: remaining\n"
        }
        out += "log: {level: \(logLevel), interval: \(UnitText.duration(logInterval))}\n"
        out += "read-batch: \(readBatch)\n"
        out += "interfaces:\n"
        for interface in interfaces {
            out += "  - name: \(interface.name)\n"
            if let address = interface.address { out += "    address: \(quoted(address.description))\n" }
            switch interface.link {
            case .udp(let local, let peer): out += "    udp: {local: \(quoted(local.description)), peer: \(quoted(peer.description))}\n"
            case .ethernet(let device, let peer, let namespace):
                out += "    ethernet: {device: \(device)\(peer.map { ", peer: \(quoted($0.description))" } ?? "")"
                    + "\(namespace.map { ", netns: \($0)" } ?? "")}\n"
            case .tun(let device, let namespace, let routes, let mtu):
                out += "    tun: {device: \(device)\(namespace.map { ", netns: \($0)" } ?? ""), mtu: \(mtu), "
                    + "routes: [\(routes.map { quoted(RouteText.text($0)) }.joined(separator: ", "))]}\n"
            }
            out += "    delay: \(UnitText.duration(interface.delay))\n"
            out += "    queue: \(TopologyWriter.queueText(interface.queue))\n"
            if let rate = interface.rate { out += "    rate: \(UnitText.bitRate(rate))\n" }
            if interface.loss > 0 { out += "    loss: \(interface.loss)\n" }
            if interface.emulateLink { out += "    emulate-link: true\n" }
        }
        if let mapping {
            out += "gateway:\n"
            if let prefix = mapping.ipv6Prefix { out += "  ipv6-prefix: \(quoted(prefix.description))\n" }
            let bindings = mapping.addressBindings
            out += "  map: {\(bindings.map { "\(quoted($0.compact.description)): \(quoted($0.ip.description))" }.joined(separator: ", "))}\n"
        }
        if !routes.isEmpty {
            out += "routes:\n"
            for route in routes { out += "  - \(route.yaml)\n" }
        }
        out += securityYAML
        out += borderYAML
        out += pathRoutesYAML
        out += neighboursYAML
        out += routingYAML
        return out
    }
}
