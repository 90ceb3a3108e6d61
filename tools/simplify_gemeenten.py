#!/usr/bin/env python3
"""Makes data/geo/gemeenten-2024-simplified.json from a GeoJSON of all municipalities (WGS84).

Usage: python3 tools/simplify_gemeenten.py ../shared/data/boundaries/gemeenten_2024.geojson \
           > data/geo/gemeenten-2024-simplified.json

The output keeps only what the dashboard draws: per municipality its CBS code, its name and its outer
rings, with coordinates rounded to 3 decimals (about 100 m, far below a pixel on an overview map) and
simplified with Douglas-Peucker at the same tolerance. Holes and attribute columns are dropped. The result
is deterministic: features are sorted by code and the JSON is written without spaces.
"""
import json
import sys

TOLERANCE = 0.0015  # degrees; about 100-150 m, invisible at the size the maps are drawn


def perpendicular_distance(p, a, b):
    (x, y), (x1, y1), (x2, y2) = p, a, b
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
    t = ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)
    t = max(0.0, min(1.0, t))
    px, py = x1 + t * dx, y1 + t * dy
    return ((x - px) ** 2 + (y - py) ** 2) ** 0.5


def douglas_peucker(points, tolerance):
    # Iterative, so long rings do not hit Python's recursion limit.
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        start, end = stack.pop()
        best, index = 0.0, None
        for i in range(start + 1, end):
            d = perpendicular_distance(points[i], points[start], points[end])
            if d > best:
                best, index = d, i
        if index is not None and best > tolerance:
            keep[index] = True
            stack.append((start, index))
            stack.append((index, end))
    return [p for p, k in zip(points, keep) if k]


def simplify_ring(ring):
    points = [(round(x, 3), round(y, 3)) for x, y in ring]
    deduplicated = [points[0]]
    for p in points[1:]:
        if p != deduplicated[-1]:
            deduplicated.append(p)
    if len(deduplicated) < 4:
        return None
    simplified = douglas_peucker(deduplicated, TOLERANCE)
    if len(simplified) < 4:
        # A tiny island: keep it as a small triangle-ish ring rather than losing the municipality.
        simplified = deduplicated[:4]
    return [[x, y] for x, y in simplified]


def main():
    source = json.load(open(sys.argv[1], encoding="utf-8"))
    out = []
    for feature in source["features"]:
        props = feature["properties"]
        code = props["gemeentecode"]
        if code == "GM0998":  # "Buitenland": not a municipality on the map
            continue
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        rings = [r for r in (simplify_ring(polygon[0]) for polygon in polygons) if r]
        out.append({"code": code, "name": props["gemeentenaam"], "rings": rings})
    out.sort(key=lambda f: f["code"])
    document = {
        "attribution": "Bron: CBS/PDOK, CC BY 4.0 (gemeentegrenzen 2024, vereenvoudigd)",
        "crs": "WGS84 lon/lat",
        "features": out,
    }
    json.dump(document, sys.stdout, ensure_ascii=False, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
