import DequeModule

/// What the partitioner splits: units (nodes that must stay together), their weights, and the
/// links between them merged per pair of units. Every split is deterministic: units are visited
/// in index order and ties go to the lower unit or part, never to hash order.
struct PartitionGraph {
    /// Per unit, its weight.
    let weight: [Int]
    /// Per unit, its neighbours in increasing order and how many links join them.
    let neighbours: [[(unit: Int, links: Int)]]

    /// `links` join units by index; a link within one unit is none.
    init(weight: [Int], links: [(Int, Int)]) {
        var lists = Array(repeating: [Int](), count: weight.count)
        for (a, b) in links where a != b {
            lists[a].append(b)
            lists[b].append(a)
        }
        neighbours = lists.map { list in
            var merged: [(unit: Int, links: Int)] = []
            for unit in list.sorted() {
                if merged.last?.unit == unit { merged[merged.count - 1].links += 1 } else { merged.append((unit, 1)) }
            }
            return merged
        }
        self.weight = weight
    }

    var count: Int { weight.count }

    /// How many links join units of different parts.
    func cut(_ part: [Int]) -> Int {
        var cut = 0
        for (unit, list) in neighbours.enumerated() {
            for neighbour in list where neighbour.unit > unit && part[neighbour.unit] != part[unit] { cut += neighbour.links }
        }
        return cut
    }

    /// The heaviest a part may be: the mean part weight and `tolerancePercent` more.
    func weightLimit(parts: Int, tolerancePercent: Int) -> Int {
        let total = weight.reduce(0, +)
        return (total * (100 + tolerancePercent) + 100 * parts - 1) / (100 * parts)
    }

    /// `parts` runs of consecutive units of about equal weight: what a file numbered along its
    /// geometry (a grid row by row) splits well by. A run may be empty when units are heavy.
    func consecutive(parts: Int) -> [Int] {
        let total = max(weight.reduce(0, +), 1)
        var sum = 0
        return weight.map { weight in
            defer { sum += weight }
            return min(parts - 1, sum * parts / total)
        }
    }

    /// `parts` connected regions (at most `count`), grown breadth-first from seeds far apart, the
    /// lightest part taking the next unit of its frontier: balanced within one unit's weight. A
    /// part whose frontier ran out (closed in, or its component taken) starts again from the
    /// lowest unit left.
    func grown(parts: Int) -> [Int] {
        var part = Array(repeating: -1, count: count)
        var load = Array(repeating: 0, count: parts)
        var frontier = Array(repeating: Deque<Int>(), count: parts)
        var left = count
        var lowestLeft = 0
        func assign(_ unit: Int, to owner: Int) {
            part[unit] = owner
            load[owner] += weight[unit]
            left -= 1
            for neighbour in neighbours[unit] where part[neighbour.unit] < 0 { frontier[owner].append(neighbour.unit) }
        }
        for (owner, seed) in separatedSeeds(parts).enumerated() { assign(seed, to: owner) }
        while left > 0 {
            let owner = load.indices.min { (load[$0], $0) < (load[$1], $1) }!
            var next: Int?
            while let unit = frontier[owner].popFirst() {
                if part[unit] < 0 {
                    next = unit
                    break
                }
            }
            if next == nil {
                while part[lowestLeft] >= 0 { lowestLeft += 1 }
                next = lowestLeft
            }
            assign(next!, to: owner)
        }
        return part
    }

    /// `parts` units far apart in links: the first the farthest from unit 0, each next the
    /// farthest from those chosen (a unit out of reach is farthest; ties to the lower unit).
    private func separatedSeeds(_ parts: Int) -> [Int] {
        func farthest(_ distance: [Int]) -> Int { distance.indices.max { (distance[$0], $1) < (distance[$1], $0) }! }
        var seeds = [farthest(hops(from: 0))]
        var distance = hops(from: seeds[0])
        while seeds.count < min(parts, count) {
            let seed = farthest(distance)
            seeds.append(seed)
            distance = zip(distance, hops(from: seed)).map { min($0, $1) }
        }
        return seeds
    }

    /// Links on the shortest way from `start` to every unit (`Int.max`: out of reach).
    private func hops(from start: Int) -> [Int] {
        var distance = Array(repeating: Int.max, count: count)
        var queue: Deque = [start]
        distance[start] = 0
        while let unit = queue.popFirst() {
            for neighbour in neighbours[unit] where distance[neighbour.unit] == .max {
                distance[neighbour.unit] = distance[unit] + 1
                queue.append(neighbour.unit)
            }
        }
        return distance
    }

    /// `part` improved in sweeps over the units in index order (a greedy Fiduccia–Mattheyses
    /// pass): a unit moves to the neighbouring part most of its links go to when that lowers the
    /// cut, or keeps it and evens two parts' weights, no part growing beyond `limit` and none
    /// left empty. Each move lowers the cut or, at an equal cut, the sum of squared part
    /// weights, so the sweeps end; they stop at `maxSweeps`, as late sweeps move little.
    func refined(_ part: [Int], parts: Int, limit: Int, maxSweeps: Int = 32) -> [Int] {
        var part = part
        var load = Array(repeating: 0, count: parts)
        var size = Array(repeating: 0, count: parts)
        for (unit, owner) in part.enumerated() {
            load[owner] += weight[unit]
            size[owner] += 1
        }
        // Per part, the links of the unit in hand that go there (cleared after each unit).
        var links = Array(repeating: 0, count: parts)
        for _ in 0..<maxSweeps {
            var moved = false
            for unit in 0..<count where size[part[unit]] > 1 {
                let own = part[unit]
                for neighbour in neighbours[unit] { links[part[neighbour.unit]] += neighbour.links }
                var best: (part: Int, gain: Int)?
                for neighbour in neighbours[unit] {
                    let target = part[neighbour.unit]
                    let gain = links[target] - links[own]
                    guard target != own, load[target] + weight[unit] <= limit,
                          gain > 0 || (gain == 0 && load[target] + weight[unit] < load[own]) else { continue }
                    if best.map({ gain > $0.gain || (gain == $0.gain && target < $0.part) }) ?? true { best = (target, gain) }
                }
                for neighbour in neighbours[unit] { links[part[neighbour.unit]] = 0 }
                guard let target = best?.part else { continue }
                load[own] -= weight[unit]
                size[own] -= 1
                load[target] += weight[unit]
                size[target] += 1
                part[unit] = target
                moved = true
            }
            if !moved { break }
        }
        return part
    }
}
