// The officer console's live list of kiosk decisions. Every few seconds it asks the JSON
// feed for the decisions after the newest one shown (?after=<id>), puts them at the top of
// the table and redraws today's counts per lane. It pauses while the tab is hidden and
// asks at once when it is shown again. The configuration, texts already translated, is
// the JSON in #live-config.
(function () {
  "use strict";
  const source = document.getElementById("live-config");
  if (!source) return;
  const config = JSON.parse(source.textContent);
  const body = document.getElementById("live-rows");
  const status = document.getElementById("live-status");
  const empty = document.getElementById("live-empty");
  let after = config.after;
  let timer = null;
  let busy = false;
  let chart = null;

  // The column headings, which a narrow screen shows beside each value.
  const headings = Array.from(document.querySelectorAll(".console-table thead th")).map(function (th) {
    return th.textContent.trim();
  });

  function cell(row, className) {
    const td = document.createElement("td");
    if (className) td.className = className;
    td.dataset.label = headings[row.cells.length] || "";
    row.appendChild(td);
    return td;
  }

  function laneBadge(lane, label) {
    const badge = document.createElement("span");
    badge.className = "tlane tlane--" + lane;
    const symbol = document.createElement("span");
    symbol.setAttribute("aria-hidden", "true");
    symbol.textContent = lane === "gate" ? "✓" : "✕";
    badge.append(symbol, " " + label);
    return badge;
  }

  // The same row as templates/travellers/officer/_decision_row.html, built from text only.
  function decisionRow(decision) {
    const row = document.createElement("tr");
    row.dataset.decision = decision.id;
    row.className = "console-table__new";
    const time = document.createElement("time");
    time.dateTime = decision.datetime;
    time.textContent = decision.time;
    cell(row).appendChild(time);
    cell(row).textContent = decision.place;
    cell(row).appendChild(laneBadge(decision.lane, decision.lane_label));
    const reasons = document.createElement("ul");
    reasons.className = "reasons";
    decision.reasons.forEach(function (text) {
      const item = document.createElement("li");
      item.textContent = text;
      reasons.appendChild(item);
    });
    cell(row).appendChild(reasons);
    const reference = cell(row);
    if (decision.url) {
      const link = document.createElement("a");
      link.href = decision.url;
      link.textContent = decision.reference;
      reference.appendChild(link);
    } else {
      reference.textContent = "—";
    }
    cell(row, "num").textContent = decision.duty;
    return row;
  }

  function drawChart(counts) {
    const values = config.chart.lanes.map(function (lane) { return counts[lane] || 0; });
    config.chart.lanes.forEach(function (lane, index) {
      const shown = document.querySelector('[data-count="' + lane + '"]');
      if (shown) shown.textContent = values[index];
    });
    if (typeof Chart === "undefined") return;
    if (chart) {
      chart.data.datasets[0].data = values;
      chart.update();
      return;
    }
    // Readers who ask for less motion get the chart drawn at once.
    if (window.matchMedia("(prefers-reduced-motion: reduce)").matches) Chart.defaults.animation = false;
    chart = new Chart(document.getElementById("lane-counts"), {
      type: "bar",
      data: {
        labels: config.chart.labels,
        datasets: [{
          label: config.chart.label,
          data: values,
          // Green and red as on the lane badges; the labels name the lanes too.
          backgroundColor: config.chart.lanes.map(function (lane) { return lane === "gate" ? "#1d6b34" : "#a3241a"; }),
        }],
      },
      options: {
        indexAxis: "y",
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }

  function feedUrl() {
    const query = new URLSearchParams({ after: String(after) });
    if (config.airport) query.set("airport", config.airport);
    if (config.lane) query.set("lane", config.lane);
    return config.feed + "?" + query.toString();
  }

  function show(decisions) {
    // The feed sends the newest first: insert the oldest first so the newest ends on top.
    decisions.slice().reverse().forEach(function (decision) {
      if (body.querySelector('[data-decision="' + decision.id + '"]')) return;
      body.insertBefore(decisionRow(decision), body.firstChild);
      after = Math.max(after, decision.id);
    });
    while (body.rows.length > config.limit) body.deleteRow(body.rows.length - 1);
    if (empty) empty.hidden = body.rows.length > 0;
  }

  function poll() {
    if (busy || document.hidden) return;
    busy = true;
    fetch(feedUrl(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        show(data.decisions);
        drawChart(data.counts);
        status.textContent = "";
        status.classList.remove("console-status--lost");
      })
      .catch(function () {
        status.textContent = config.texts.lost;
        status.classList.add("console-status--lost");
      })
      .finally(function () { busy = false; });
  }

  function start() {
    if (timer === null) timer = window.setInterval(poll, config.poll_ms);
  }

  function stop() {
    if (timer !== null) window.clearInterval(timer);
    timer = null;
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      stop();
    } else {
      poll();
      start();
    }
  });

  const initial = {};
  config.chart.lanes.forEach(function (lane, index) { initial[lane] = config.chart.values[index]; });
  drawChart(initial);
  if (!document.hidden) start();
})();
