"""Checks on a chain's graph of prerequisites (pure functions)."""

from collections.abc import Hashable, Iterable, Mapping


def find_cycle(edges: Mapping[Hashable, Iterable[Hashable]]) -> list | None:
    """A cycle in the graph ``node -> prerequisites`` as a list of nodes, or None.

    Iterative depth-first search, so a long chain cannot exhaust the stack.
    """
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(edges, white)
    for root in list(edges):
        if colour.get(root, white) != white:
            continue
        stack = [(root, iter(edges.get(root, ())))]
        path = [root]
        colour[root] = grey
        while stack:
            node, children = stack[-1]
            for child in children:
                state = colour.get(child, white)
                if state == grey:
                    return path[path.index(child) :] + [child]
                if state == white:
                    colour[child] = grey
                    path.append(child)
                    stack.append((child, iter(edges.get(child, ()))))
                    break
            else:
                colour[node] = black
                path.pop()
                stack.pop()
    return None


def depths(edges: Mapping[Hashable, Iterable[Hashable]]) -> dict:
    """Column of each node in a left-to-right drawing: 0 for no prerequisite, else one more
    than its deepest prerequisite. The graph must have no cycle."""
    result: dict = {}

    def depth(node):
        if node in result:
            return result[node]
        prereqs = [p for p in edges.get(node, ()) if p in edges]
        value = 0 if not prereqs else 1 + max(depth(p) for p in prereqs)
        result[node] = value
        return value

    for node in edges:
        depth(node)
    return result
