/* The neighbourhood graph on case, barrier and approach pages (progressive enhancement).
 *
 * Each `[data-graph]` element names a JSON endpoint (/graph/<kind>/<id>.json) that returns
 * {nodes: [{id, label, name, relation, href}], edges: [{source, target, kind, cases}]}, centre
 * first. The script draws it with the vendored Cytoscape.js, un-hides the drawing and its legend,
 * and opens a node's page when the node is selected. Without JavaScript (or if anything fails)
 * the page keeps its plain list of the same neighbours.
 */
(function () {
  "use strict";

  // Colours with at least 3:1 contrast on white (WCAG non-text contrast); labels are dark on white.
  var COLOURS = {
    Case: "#0b5394",
    Barrier: "#b3261e",
    Approach: "#1e6b2e",
    Innovation: "#6a3d9a",
    Source: "#5f5f5f",
  };
  var SHAPES = {
    Case: "round-rectangle",
    Barrier: "diamond",
    Approach: "ellipse",
    Innovation: "hexagon",
    Source: "rectangle",
  };
  var EDGE_COLOURS = { "did not address": "#b3261e", caused: "#8a5a00" };
  var PLAIN = { met: true, used: true, about: true, "described in": true };

  // Cytoscape adds a <style> element unless one with this id exists; the CSP refuses inline
  // styles, so point it at our stylesheet, which already holds its one rule.
  function markStylesheet() {
    var id = "__________cytoscape_stylesheet";
    if (document.getElementById(id)) return;
    var link = document.createElement("link");
    link.id = id;
    link.rel = "stylesheet";
    link.href = "/static/style.css";
    document.head.appendChild(link);
  }

  function shorten(text, max) {
    return text.length > max ? text.slice(0, max - 1) + "…" : text;
  }

  function elements(data) {
    var out = [];
    var centre = data.nodes.length ? data.nodes[0].id : null;
    var known = {};
    data.nodes.forEach(function (n) {
      known[n.id] = true;
      out.push({
        group: "nodes",
        data: {
          id: n.id,
          name: n.id === centre ? shorten(n.name || n.id, 28) : shorten(n.name || n.id, 40),
          full: n.name || n.id,
          label: n.label,
          href: n.href,
          centre: n.id === centre ? 1 : 0,
        },
      });
    });
    data.edges.forEach(function (e, i) {
      if (!known[e.source] || !known[e.target]) return;
      out.push({
        group: "edges",
        data: {
          id: "e" + i,
          source: e.source,
          target: e.target,
          kind: e.kind,
          // Approach-barrier effects are labelled; met / used / about / described in are plain.
          caption: PLAIN[e.kind] ? "" : e.cases > 1 ? e.kind + " ×" + e.cases : e.kind,
        },
      });
    });
    return out;
  }

  function style() {
    return [
      {
        selector: "node",
        style: {
          "background-color": function (n) { return COLOURS[n.data("label")] || "#5f5f5f"; },
          shape: function (n) { return SHAPES[n.data("label")] || "ellipse"; },
          label: "data(name)",
          color: "#1b1b1b",
          "font-size": 12,
          "text-wrap": "wrap",
          "text-max-width": 120,
          "text-valign": "bottom",
          "text-margin-y": 4,
          "text-background-color": "#ffffff",
          "text-background-opacity": 0.85,
          "text-background-padding": 1,
          width: 18,
          height: 18,
        },
      },
      {
        selector: "node[centre = 1]",
        style: { width: 30, height: 30, "font-weight": "bold", "font-size": 13, "text-valign": "top", "text-margin-y": -4 },
      },
      {
        selector: "edge",
        style: {
          width: 1.5,
          "line-color": function (e) { return EDGE_COLOURS[e.data("kind")] || "#8c8c8c"; },
          "target-arrow-color": function (e) { return EDGE_COLOURS[e.data("kind")] || "#8c8c8c"; },
          "target-arrow-shape": "triangle",
          "curve-style": "bezier",
          label: "data(caption)",
          "font-size": 10,
          color: "#4a4a4a",
          "text-rotation": "autorotate",
          "text-background-color": "#ffffff",
          "text-background-opacity": 0.85,
        },
      },
      { selector: "node:selected", style: { "border-width": 3, "border-color": "#f4b400" } },
    ];
  }

  // The concentric layout draws a circle; stretch it into an ellipse that suits the wide box,
  // so the drawing can be zoomed in further and its labels stay readable.
  function spread(cy, box) {
    var ratio = box.clientWidth / Math.max(box.clientHeight, 1);
    var sx = Math.min(1.5, Math.sqrt(Math.max(ratio, 1)));
    var centre = cy.nodes("[centre = 1]").position();
    cy.nodes().positions(function (n) {
      var p = n.position();
      return { x: centre.x + (p.x - centre.x) * sx, y: centre.y + (p.y - centre.y) / sx };
    });
    cy.fit(undefined, 16);
  }

  function draw(box) {
    fetch(box.getAttribute("data-graph"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(new Error("status " + r.status)); })
      .then(function (data) {
        if (!window.cytoscape || !data.nodes || data.nodes.length < 2) return;
        markStylesheet();
        box.hidden = false;
        var legend = box.parentNode.querySelector(".legend");
        if (legend) legend.hidden = false;
        var cy = window.cytoscape({
          container: box,
          elements: elements(data),
          style: style(),
          layout: {
            name: "concentric",
            concentric: function (n) { return n.data("centre") ? 2 : 1; },
            levelWidth: function () { return 1; },
            startAngle: Math.PI, // first neighbour on the left: small graphs spread across the wide box
            minNodeSpacing: 36,
            nodeDimensionsIncludeLabels: true,
            avoidOverlap: true,
            padding: 16,
            animate: false,
          },
          maxZoom: 1.6,
          userZoomingEnabled: false,
          boxSelectionEnabled: false,
          autoungrabify: false,
        });
        spread(cy, box);
        // The drawing now shows the neighbours; their list stays one click away (keyboard, AT).
        var list = box.closest("section") && box.closest("section").querySelector("details.neighbour-list");
        if (list) list.open = false;
        cy.on("tap", "node", function (evt) {
          var target = evt.target.data("href");
          if (target && !evt.target.data("centre")) window.location.assign(target);
        });
        cy.on("mouseover", "node", function (evt) {
          box.style.cursor = evt.target.data("centre") ? "default" : "pointer";
          box.title = evt.target.data("full");
        });
        cy.on("mouseout", "node", function () { box.style.cursor = ""; box.title = ""; });
        box.setAttribute("data-nodes", String(cy.nodes().length));
        box.setAttribute("data-edges", String(cy.edges().length));
        window.spreadgraphGraphs = (window.spreadgraphGraphs || []).concat([cy]);
      })
      .catch(function () {
        box.hidden = true; // the list of neighbours stays
      });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-graph]"), draw);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
