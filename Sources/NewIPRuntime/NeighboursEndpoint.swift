import NewIPDataPlane
import NewIPJSON
import NewIPNode
import NewIPWire

extension Node {
    /// `GET /neighbours`: each interface running neighbour discovery, its address and its
    /// neighbours (state, link-layer address, since when, and the age of the last
    /// confirmation), and neighbour discovery's counters. An empty object when the node runs none.
    func neighboursJSON(now: Nanoseconds) -> JSONValue {
        guard let discovery = dataPlane.core.neighbourDiscovery else { return .object([]) }
        let interfaces: [JSONValue] = discovery.interfaces.enumerated().compactMap { index, own in
            guard let own else { return nil }
            let neighbours: [JSONValue] = discovery.table.neighbours(on: index).map { neighbour in
                .object([
                    ("address", .string(neighbour.address.description)),
                    ("state", .string(neighbour.state.rawValue)),
                    ("lladdr", .string(NeighbourAdvertisement(linkLayerAddress: neighbour.linkLayerAddress).linkLayerAddressText)),
                    ("age_ms", neighbour.confirmed.map { .int(Int(max(0, now - $0) / 1_000_000)) } ?? .null),
                    ("state_ms", .int(Int(max(0, now - neighbour.since) / 1_000_000))),
                ])
            }
            return .object([("name", .string(config.interfaces[index].name)), ("address", own.address.map { .string($0.description) } ?? .null),
                             ("neighbours", .array(neighbours))])
        }
        let c = discovery.counters
        return .object([
            ("interfaces", .array(interfaces)),
            ("counters", .object([
                ("solicitations_received", .int(c.solicitationsReceived)), ("advertisements_received", .int(c.advertisementsReceived)),
                ("answered", .int(c.answered)), ("not_ours", .int(c.notOurs)), ("malformed", .int(c.malformed)),
                ("solicitations_sent", .int(c.solicitationsSent)), ("hellos_sent", .int(c.hellosSent)),
                ("addresses_configured", .int(c.addressesConfigured)), ("addresses_refused", .int(c.addressesRefused)),
                ("foreign_prefixes", .int(c.foreignPrefixes)),
            ])),
            ("autoconfiguration", .array(discovery.events.map { event in
                switch event {
                case .configured(let interface, let address, let router):
                    .object([("interface", .string(config.interfaces[interface].name)), ("address", .string(address.description)),
                             ("router", .string(router.description)), ("outcome", .string("configured"))])
                case .refused(let interface, let address, let reason):
                    .object([("interface", .string(config.interfaces[interface].name)), ("address", address.map { .string($0.description) } ?? .null),
                             ("outcome", .string("refused")), ("reason", .string(reason))])
                }
            })),
        ])
    }
}
