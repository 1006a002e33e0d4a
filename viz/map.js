/* Lianjian KG network map: draws the graph in #map-data with vis-network and adds the
 * legend, filters, search, tooltips and the evidence panel.
 * Article text is untrusted: it reaches the page only through textContent and DOM
 * nodes, never as markup, and vis-network gets no `title` (it would render HTML). */
(function () {
  "use strict";

  var timings = { start: performance.now() };  // milliseconds since navigation start, for bench/bench_maps.py
  var data = JSON.parse(document.getElementById("map-data").textContent);
  timings.parsed = performance.now();
  var options = data.options || {};
  var styles = data.styles || {};
  var large = options.layout === "python";
  var FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif';
  var OTHER = "other";
  var palette = styles.communities || [];
  var otherCommunity = styles.other_community || { label: "其他社区", color: "#bab0ac" };

  // ---- DOM helpers: text only -------------------------------------------------------
  function $(id) { return document.getElementById(id); }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function add(parent) {
    for (var i = 1; i < arguments.length; i++) if (arguments[i]) parent.appendChild(arguments[i]);
    return parent;
  }
  function swatch(colour) {
    var s = el("span", colour ? "swatch" : "swatch blank");
    if (colour) s.style.backgroundColor = colour;
    return s;
  }
  function lineSample(style) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("class", "line");
    svg.setAttribute("width", "28");
    svg.setAttribute("height", "10");
    var line = document.createElementNS(ns, "line");
    line.setAttribute("x1", "1"); line.setAttribute("y1", "5");
    line.setAttribute("x2", "27"); line.setAttribute("y2", "5");
    line.setAttribute("stroke", String(style.color));
    line.setAttribute("stroke-width", "2.5");
    if (Array.isArray(style.dashes)) line.setAttribute("stroke-dasharray", style.dashes.map(Number).join(" "));
    svg.appendChild(line);
    return svg;
  }

  // ---- styles -----------------------------------------------------------------------
  // Keys come from articles: "constructor" or "__proto__" must not reach Object.prototype.
  function own(object, key) {
    return object && Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
  }
  function dict() { return Object.create(null); }
  function typeStyle(type) {
    return own(styles.types, type) || { label: "其他", color: "#7f7f7f" };
  }
  function relationStyle(relation) {
    return own(styles.relations, relation) || { label: "其他关系", color: "#999999", dashes: [2, 2] };
  }
  function communityKey(c) { return c < palette.length ? String(c) : OTHER; }
  function communityLabel(key) { return key === OTHER ? otherCommunity.label : "社区 " + (Number(key) + 1); }
  function communityColour(key) { return key === OTHER ? otherCommunity.color : palette[Number(key)]; }
  function relationTag(relation) {
    var st = relationStyle(relation);
    var tag = el("span", "tag", st.label);
    tag.style.backgroundColor = st.color;
    return tag;
  }
  // An evidence is [relation, sentence index, article index] (see kg/maps/payload.py).
  function evidenceOf(ev) {
    return { relation: ev[0], sentence: data.sentences[ev[1]], article: data.articles[ev[2]] || {} };
  }
  function citation(article) {
    return [article.title || "（无标题）", article.date || "日期不详"].join(" · ");
  }

  // ---- graph indexes ----------------------------------------------------------------
  var nodeRows = data.nodes;
  var edgeRows = data.edges;
  var incident = nodeRows.map(function () { return []; });
  edgeRows.forEach(function (e, i) { incident[e.from].push(i); incident[e.to].push(i); });
  var haystack = nodeRows.map(function (n) { return [n.label].concat(n.aliases || []).join("\n").toLowerCase(); });

  // ---- the network ------------------------------------------------------------------
  function visNode(n) {
    var node = {
      id: n.id, label: n.label, size: n.size,
      color: { background: n.color, border: n.color,
               highlight: { background: n.color, border: "#111" }, hover: { background: n.color, border: "#111" } },
    };
    if (n.x !== undefined) { node.x = n.x; node.y = n.y; }
    return node;
  }
  function visEdge(e, i) {
    var st = relationStyle(e.style);
    // Dashed lines cost canvas most of a frame: large maps tell relations apart by colour only.
    return { id: i, from: e.from, to: e.to, dashes: large ? false : st.dashes || false,
             color: { color: st.color, highlight: st.color, hover: st.color, opacity: 0.85 },
             width: 1 + Math.log2(Math.max(1, e.weight || 1)) };
  }

  var nodes = new vis.DataSet(nodeRows.map(visNode));
  var edges = new vis.DataSet(edgeRows.map(visEdge));
  timings.dataSets = performance.now();
  var network = new vis.Network($("network"), { nodes: nodes, edges: edges }, {
    autoResize: true,
    nodes: { shape: "dot", borderWidth: large ? 0 : 1, borderWidthSelected: 3,
             font: { face: FONT, size: 14, color: "#222", strokeWidth: 3, strokeColor: "#ffffff" } },
    // Straight links: cheaper to draw, and the search highlight redraws them exactly.
    edges: { smooth: false, selectionWidth: 2, hoverWidth: 1 },
    interaction: { hover: true, hideEdgesOnDrag: large, hideEdgesOnZoom: large, keyboard: false },
    layout: { improvedLayout: !large && nodeRows.length <= 100, randomSeed: 7 },
    physics: large ? { enabled: false } : {
      enabled: true, solver: "forceAtlas2Based", minVelocity: 1,
      forceAtlas2Based: { gravitationalConstant: -60, springLength: 110, avoidOverlap: 0.4 },
      // Bounded: fewer iterations as the map grows, so a ~1,000-node map still opens in seconds.
      stabilization: { enabled: true, iterations: Math.max(100, Math.min(300, Math.round(100000 / Math.max(1, nodeRows.length)))),
                       updateInterval: 25, fit: true },
    },
  });
  if (!large) {
    // Physics only places the nodes; afterwards the map stays still and costs no CPU.
    network.once("stabilizationIterationsDone", function () { network.setOptions({ physics: { enabled: false } }); });
  }
  $("empty").hidden = nodeRows.length > 0;

  timings.network = performance.now();
  var api = window.lianjianMap = { network: network, nodes: nodes, edges: edges, data: data, drawn: false,
                                   timings: timings };
  network.once("afterDrawing", function () { api.drawn = true; api.firstDrawMs = timings.drawn = performance.now(); });

  // ---- tooltips (hover) -------------------------------------------------------------
  var tip = $("tooltip");
  var wrap = $("canvas-wrap");
  function row(parent, label, value) {
    if (value === undefined || value === null || value === "") return;
    add(parent, el("div", null, label + "：" + value));
  }
  function nodeSummary(id) {
    var n = nodeRows[id], box = el("div");
    add(box, el("div", "name", n.label));
    row(box, "类型", typeStyle(n.type).label);
    row(box, "别名", (n.aliases || []).slice(0, 6).join("、"));
    row(box, "地区", n.place);
    row(box, "关系数", n.degree);
    row(box, "报道数", n.articles);
    add(box, el("div", "hint", "点击查看详情"));
    return box;
  }
  function edgeSummary(id) {
    var e = edgeRows[id], box = el("div");
    add(box, el("div", "name", nodeRows[e.from].label + " — " + nodeRows[e.to].label));
    var rels = el("div");
    e.relations.forEach(function (r) { add(rels, relationTag(r)); });
    add(box, rels);
    e.evidence.slice(0, 3).forEach(function (raw) {
      var ev = evidenceOf(raw);
      add(box, el("div", "sentence", "“" + ev.sentence + "”"));
      add(box, el("div", "more", citation(ev.article)));
    });
    if (e.evidence.length > 3) add(box, el("div", "more", "另有 " + (e.evidence.length - 3) + " 条证据"));
    add(box, el("div", "hint", "点击查看全部证据"));
    return box;
  }
  function showTip(content, pointer) {
    tip.replaceChildren(content);
    tip.hidden = false;
    var x = pointer.x + 14, y = pointer.y + 14;
    var maxX = wrap.clientWidth - tip.offsetWidth - 4, maxY = wrap.clientHeight - tip.offsetHeight - 4;
    tip.style.left = Math.max(4, Math.min(x, maxX)) + "px";
    tip.style.top = Math.max(4, Math.min(y, maxY)) + "px";
  }
  function hideTip() { tip.hidden = true; }
  network.on("hoverNode", function (p) { showTip(nodeSummary(p.node), p.pointer.DOM); });
  network.on("hoverEdge", function (p) { showTip(edgeSummary(p.edge), p.pointer.DOM); });
  network.on("blurNode", hideTip);
  network.on("blurEdge", hideTip);
  network.on("dragStart", hideTip);
  network.on("zoom", hideTip);

  // ---- the side panel (click) -------------------------------------------------------
  var panel = $("panel");
  function definitionList(pairs) {
    var dl = el("dl");
    pairs.forEach(function (p) {
      if (p[1] === undefined || p[1] === null || p[1] === "") return;
      add(dl, el("dt", null, p[0]), el("dd", null, p[1]));
    });
    return dl;
  }
  function linkButton(text, onClick) {
    var b = el("button", "link", text);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }
  function showNodePanel(id) {
    var n = nodeRows[id];
    var sizeName = options.size_label || options.size;
    panel.replaceChildren(
      el("h2", null, n.label),
      definitionList([
        ["类型", typeStyle(n.type).label + "（" + n.type + "）"],
        ["别名", (n.aliases || []).join("、")],
        ["地区", n.place],
        ["关系数", n.degree],
        ["报道数", n.articles],
        [sizeName, n.metric],
        ["社区", "社区 " + (n.community + 1)],
      ]),
      el("div", "iri", n.iri)
    );
    var list = el("ul");
    incident[id].forEach(function (i) {
      var e = edgeRows[i], other = e.from === id ? e.to : e.from;
      var item = el("li");
      e.relations.forEach(function (r) { add(item, relationTag(r)); });
      add(item, linkButton(nodeRows[other].label, function () { selectNode(other); }));
      add(item, el("span", "cite", " · " + e.evidence.length + " 条证据 "));
      add(item, linkButton("查看证据", function () { selectEdge(i); }));
      add(list, item);
    });
    add(panel, el("h3", null, "关系（" + incident[id].length + "）"), list);
  }
  function showEdgePanel(id) {
    var e = edgeRows[id];
    var heading = el("h2");
    add(heading, linkButton(nodeRows[e.from].label, function () { selectNode(e.from); }),
        el("span", null, " — "), linkButton(nodeRows[e.to].label, function () { selectNode(e.to); }));
    var rels = el("div");
    e.relations.forEach(function (r) { add(rels, relationTag(r)); });
    panel.replaceChildren(heading, rels, definitionList([["报道数", e.weight], ["证据数", e.evidence.length]]));
    var list = el("ul");
    e.evidence.forEach(function (raw) {
      var ev = evidenceOf(raw);
      add(list, add(el("li"), relationTag(ev.relation), el("blockquote", null, ev.sentence),
                    el("div", "cite", citation(ev.article)), el("div", "iri", ev.article.iri)));
    });
    add(panel, el("h3", null, "证据"), list);
  }
  function showHint() {
    panel.replaceChildren(el("p", "hint", "将鼠标移到组织或关系上查看摘要，点击查看详情与全部证据。"));
  }
  function selectNode(id) {
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1), animation: false });
    showNodePanel(id);
  }
  function selectEdge(id) {
    network.selectEdges([id]);
    showEdgePanel(id);
  }
  network.on("click", function (p) {
    hideTip();
    if (p.nodes.length) showNodePanel(p.nodes[0]);
    else if (p.edges.length) showEdgePanel(p.edges[0]);
    else showHint();
  });

  // ---- filters and search: one function decides what is shown ------------------------
  // Filters hide organizations and links; a search dims everything but the matches by
  // painting over the canvas (see drawMatches), which costs nothing per unmatched node.
  var on = { type: dict(), relation: dict(), community: dict() };
  var checkboxes = { type: dict(), relation: dict(), community: dict() };
  var matches = null; // null: no search; otherwise the set of matching node ids
  var nodeHidden = nodeRows.map(function () { return false; });
  var edgeHidden = edgeRows.map(function () { return false; });

  function nodeFiltered(n) {
    return on.type[n.type] === false || on.community[communityKey(n.community)] === false;
  }
  function edgeFiltered(e) {
    return !e.relations.some(function (r) { return on.relation[r] !== false; });
  }
  // DataSet.update re-derives every option of each item it touches: seconds for a few
  // thousand nodes of a large map. vis-network (pinned 9.1.2) reads `options.hidden` of
  // its drawn objects when told the data changed, so set it there and announce once.
  function setHidden(changes, dataSet, drawn) {
    if (!changes.length) return;
    if (drawn) {
      changes.forEach(function (c) { if (drawn[c[0]]) drawn[c[0]].options.hidden = c[1]; });
    } else {
      dataSet.update(changes.map(function (c) { return { id: c[0], hidden: c[1] }; }));
    }
  }
  function applyView() {
    var nodeChanges = [], edgeChanges = [];
    nodeRows.forEach(function (n, i) {
      var hidden = nodeFiltered(n);
      if (hidden !== nodeHidden[i]) { nodeHidden[i] = hidden; nodeChanges.push([i, hidden]); }
    });
    edgeRows.forEach(function (e, i) {
      var hidden = edgeFiltered(e) || nodeHidden[e.from] || nodeHidden[e.to];
      if (hidden !== edgeHidden[i]) { edgeHidden[i] = hidden; edgeChanges.push([i, hidden]); }
    });
    var body = network.body && network.body.nodes && network.body.edges && network.body.emitter ? network.body : null;
    setHidden(nodeChanges, nodes, body && body.nodes);
    setHidden(edgeChanges, edges, body && body.edges);
    if (body && (nodeChanges.length || edgeChanges.length)) body.emitter.emit("_dataChanged");
    requestRedraw();
    updateCount();
  }
  var MAX_DRAWN_MATCHES = 3000;
  function drawMatches(ctx) {
    if (matches === null) return;
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "rgba(255, 255, 255, 0.82)";
    ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
    ctx.restore();
    var ids = Array.from(matches).filter(function (i) { return !nodeHidden[i]; }).slice(0, MAX_DRAWN_MATCHES);
    var scale = network.getScale();
    var links = [];
    ids.forEach(function (i) { incident[i].forEach(function (e) { if (!edgeHidden[e]) links.push(e); }); });
    var ends = dict();
    links.forEach(function (e) { ends[edgeRows[e].from] = true; ends[edgeRows[e].to] = true; });
    var pos = network.getPositions(ids.concat(Object.keys(ends).map(Number)));
    ctx.save();
    links.forEach(function (e) {
      var row = edgeRows[e], st = relationStyle(row.style), a = pos[row.from], b = pos[row.to];
      if (!a || !b) return;
      ctx.strokeStyle = st.color;
      ctx.lineWidth = 1 + Math.log2(Math.max(1, row.weight || 1));
      ctx.setLineDash(Array.isArray(st.dashes) ? st.dashes : []);
      ctx.beginPath(); ctx.moveTo(a.x, a.y); ctx.lineTo(b.x, b.y); ctx.stroke();
    });
    ctx.setLineDash([]);
    ctx.font = "14px " + FONT;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ids.forEach(function (i) {
      var n = nodeRows[i], p = pos[i];
      if (!p) return;
      ctx.fillStyle = n.color;
      ctx.strokeStyle = "#111";
      ctx.lineWidth = 2 / scale;
      ctx.beginPath(); ctx.arc(p.x, p.y, n.size, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
      if (14 * scale >= 4) {
        ctx.lineWidth = 3; ctx.strokeStyle = "#fff"; ctx.fillStyle = "#222";
        ctx.strokeText(n.label, p.x, p.y + n.size + 9);  // where vis-network puts its own label
        ctx.fillText(n.label, p.x, p.y + n.size + 9);
      }
    });
    ctx.restore();
  }
  network.on("afterDrawing", drawMatches);
  // One frame of a 20,000-node map takes most of a second: ask vis-network for a frame
  // (it merges requests) instead of network.redraw(), which draws at once, every time.
  function requestRedraw() {
    if (network.body && network.body.emitter) network.body.emitter.emit("_requestRedraw");
    else network.redraw();
  }
  function shownNodeIds() {
    var ids = [];
    for (var i = 0; i < nodeRows.length; i++) if (!nodeHidden[i] && (matches === null || matches.has(i))) ids.push(i);
    return ids;
  }
  function updateCount() {
    $("shown-count").textContent = "显示 " + shownNodeIds().length + " / " + nodeRows.length + " 个组织";
  }

  function filterGroup(container, kind, entries) {
    var boxes = [];
    entries.forEach(function (entry) {
      var label = el("label");
      var box = el("input");
      box.type = "checkbox";
      box.checked = true;
      box.dataset.kind = kind;
      box.addEventListener("change", function () { on[kind][entry.key] = box.checked; applyView(); });
      boxes.push({ box: box, key: entry.key });
      checkboxes[kind][entry.key] = box;
      add(label, box, entry.sample, el("span", null, entry.label), el("span", "count", entry.count));
      add(container, label);
    });
    var toggle = linkButton("全选/全不选", function () {
      var anyOff = boxes.some(function (b) { return !b.box.checked; });
      boxes.forEach(function (b) { b.box.checked = anyOff; on[kind][b.key] = anyOff; });
      applyView();
    });
    container.parentNode.querySelector("h2").appendChild(toggle);
    container.parentNode.hidden = entries.length === 0;
  }
  function countBy(rows, keyOf) {
    var counts = new Map();
    rows.forEach(function (r) { [].concat(keyOf(r)).forEach(function (k) { counts.set(k, (counts.get(k) || 0) + 1); }); });
    return counts;
  }
  function ordered(counts, known) {
    return Array.from(counts.keys()).sort(function (a, b) {
      var ia = known.indexOf(a), ib = known.indexOf(b);
      if (ia < 0) ia = known.length; if (ib < 0) ib = known.length;
      return ia - ib || (a < b ? -1 : a > b ? 1 : 0);
    });
  }
  (function buildFilters() {
    var byType = options.color === "type";
    var types = countBy(nodeRows, function (n) { return n.type; });
    // Keys outside the ontology share one style; the raw key tells them apart.
    function named(style, key, known) { return known.indexOf(key) >= 0 ? style.label : style.label + "：" + key; }
    var knownTypes = styles.known_types || [], knownRelations = styles.known_relations || [];
    filterGroup($("filter-types"), "type", ordered(types, knownTypes).map(function (t) {
      return { key: t, label: named(typeStyle(t), t, knownTypes), count: types.get(t),
               sample: swatch(byType ? typeStyle(t).color : null) };
    }));
    var relations = countBy(edgeRows, function (e) { return e.relations; });
    filterGroup($("filter-relations"), "relation", ordered(relations, knownRelations).map(function (r) {
      return { key: r, label: named(relationStyle(r), r, knownRelations), count: relations.get(r),
               sample: lineSample(relationStyle(r)) };
    }));
    var communities = countBy(nodeRows, function (n) { return communityKey(n.community); });
    var keys = Array.from(communities.keys()).sort(function (a, b) {
      return (a === OTHER) - (b === OTHER) || Number(a) - Number(b);
    });
    filterGroup($("filter-communities"), "community", keys.map(function (k) {
      return { key: k, label: communityLabel(k), count: communities.get(k), sample: swatch(byType ? null : communityColour(k)) };
    }));
    $("size-note").textContent = "节点大小：" + (options.size_label || options.size) +
      "；颜色：" + (byType ? "组织类型" : "社区") + "；线宽：报道数。" +
      (large ? "大图中关系只以颜色区分（不画虚线）。" : "");
  })();

  // ---- search -----------------------------------------------------------------------
  var input = $("search"), results = $("search-results"), MAX_RESULTS = 30;
  function search(query) {
    var q = String(query || "").trim().toLowerCase();
    var found = [];
    if (q) for (var i = 0; i < haystack.length; i++) if (haystack[i].indexOf(q) >= 0) found.push(i);
    matches = q ? new Set(found) : null;
    updateCount();
    results.replaceChildren();
    found.slice(0, MAX_RESULTS).forEach(function (id) {
      var n = nodeRows[id];
      var b = el("button", null, n.label + "（" + typeStyle(n.type).label + "）");
      b.type = "button";
      b.addEventListener("click", function () { results.hidden = true; selectNode(id); });
      add(results, add(el("li"), b));
    });
    results.hidden = found.length === 0;
    $("search-count").textContent = q ? found.length + " 个匹配" : "";
    // setSelection only requests a frame; selectNodes/unselectAll would each draw one.
    network.setSelection({ nodes: found.slice(0, 1000), edges: [] }, { highlightEdges: false });
    if (found.length && found.length <= 50) network.fit({ nodes: found, animation: false });
    requestRedraw();
    return found.length;
  }
  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { search(input.value); }, large ? 250 : 80);
  });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { clearTimeout(timer); search(input.value); }
    if (ev.key === "Escape") { input.value = ""; search(""); }
  });
  document.addEventListener("click", function (ev) { if (!$("search-box").contains(ev.target)) results.hidden = true; });

  // ---- the page's small API, for tests and curious users ------------------------------
  api.search = search;
  api.shownNodeIds = shownNodeIds;
  // What vis-network actually draws (filters applied; a search only dims).
  api.drawnNodeCount = function () { return network.body.nodeIndices.length; };
  api.drawnEdgeCount = function () { return network.body.edgeIndices.length; };
  api.setFilter = function (kind, key, value) {
    var box = checkboxes[kind][String(key)];
    if (box) box.checked = !!value;
    on[kind][String(key)] = !!value;
    applyView();
  };
  api.showNode = selectNode;
  api.showEdge = selectEdge;
  updateCount();
})();
