/* Declaration form: adds line forms, and shows a live duty estimate as lines are typed
   (POST /api/v1/duty-estimates/, debounced). The server validates everything again. */
(function () {
  "use strict";
  var form = document.getElementById("declaration-form");
  if (!form) return;

  var total = form.querySelector("input[name$='-TOTAL_FORMS']");
  var template = document.getElementById("empty-line-form");
  var container = document.getElementById("line-forms");
  var addButton = document.getElementById("add-line");
  if (addButton && template && total) {
    addButton.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      container.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
    });
  }

  var panel = document.getElementById("estimate-panel");
  var body = document.getElementById("estimate-body");
  if (!panel || !body) return;
  var csrf = form.querySelector("input[name='csrfmiddlewaretoken']").value;
  var timer = null;
  var generation = 0;

  function field(line, name) {
    var element = line.querySelector("[name$='-" + name + "']");
    return element ? element.value.trim() : "";
  }

  function yen(amount) {
    return "¥" + Number(amount).toLocaleString();
  }

  // Incoterms whose price stops before Japan: the customs value (CIF) adds freight
  // and/or insurance, split over the lines by invoice value (as declarations/submission.py).
  var ADDS_FREIGHT = ["EXW", "FCA", "FAS", "FOB"];
  var ADDS_INSURANCE = ADDS_FREIGHT.concat(["CFR", "CPT"]);

  function header(name) {
    var element = form.querySelector("[name='" + name + "']");
    return element ? element.value.trim() : "";
  }

  function collect(rate) {
    var rows = [];
    container.querySelectorAll("[data-line]").forEach(function (line) {
      var removed = line.querySelector("[name$='-DELETE']");
      if (removed && removed.checked) return;
      var code = field(line, "hs_code").replace(/[.\- ]/g, "");
      var origin = field(line, "origin_country").toUpperCase();
      var value = field(line, "invoice_value");
      if (!/^\d{9}$/.test(code) || origin.length !== 2 || value === "" || isNaN(Number(value))) return;
      var preference = field(line, "preference");
      if (preference === "epa") preference = field(line, "epa_agreement").toUpperCase();
      var item = { hs_code: code, origin: origin, preference: preference, origin_proof: field(line, "origin_proof") };
      var quantity = field(line, "quantity");
      if (quantity !== "") item.quantity = quantity;
      rows.push({ item: item, value: Number(value) });
    });
    var incoterm = header("incoterm");
    var freight = ADDS_FREIGHT.indexOf(incoterm) >= 0 ? Number(header("freight")) || 0 : 0;
    var insurance = ADDS_INSURANCE.indexOf(incoterm) >= 0 ? Number(header("insurance")) || 0 : 0;
    var total = rows.reduce(function (sum, row) { return sum + row.value; }, 0);
    return rows.map(function (row) {
      var share = total ? (freight + insurance) * row.value / total : 0;
      row.item.customs_value_jpy = Math.floor((row.value + share) * rate);
      return row.item;
    });
  }

  var rates = {};

  function rateFor(currency, day) {
    if (currency === "JPY") return Promise.resolve(1);
    var key = currency + "@" + day;
    if (!rates[key]) {
      var url = form.dataset.rateUrl + "?currency=" + encodeURIComponent(currency) + "&date=" + encodeURIComponent(day);
      rates[key] = fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.json().then(function (data) { return [response.ok, data]; }); })
        .then(function (pair) {
          if (!pair[0]) { delete rates[key]; throw new Error((pair[1].error || {}).message || ""); }
          return Number(pair[1].rate_jpy);
        });
    }
    return rates[key];
  }

  function render(result) {
    var rows = result.lines.map(function (line) {
      return "<tr><td><code>" + line.hs_code + "</code></td><td>" + (line.rate_label || line.rate) + "</td><td>" +
        line.basis_label + "</td><td>" + yen(line.customs_duty_jpy) + "</td></tr>";
    }).join("");
    body.innerHTML = "<div class=\"table-wrap\"><table><tbody>" + rows + "</tbody></table></div>" +
      "<dl><dt>" + panel.dataset.labelDuty + "</dt><dd>" + yen(result.total.customs_duty_jpy) + "</dd>" +
      "<dt>" + panel.dataset.labelTax + "</dt><dd>" + yen(result.total.consumption_tax_jpy) + "</dd>" +
      "<dt>" + panel.dataset.labelLocal + "</dt><dd>" + yen(result.total.local_consumption_tax_jpy) + "</dd>" +
      "<dt>" + panel.dataset.labelTotal + "</dt><dd><strong>" + yen(result.total.total_jpy) + "</strong></dd></dl>";
  }

  function estimate() {
    var currency = (header("invoice_currency") || "JPY").toUpperCase();
    var day = header("declaration_date");
    if (currency !== "JPY" && !day) {
      body.textContent = panel.dataset.msgIdle;
      return;
    }
    var mine = ++generation;
    rateFor(currency, day)
      .then(function (rate) {
        var lines = collect(rate);
        if (!lines.length) return [true, null];
        return fetch(form.dataset.estimateUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
          body: JSON.stringify({ lines: lines, date: day || null }),
        }).then(function (response) { return response.json().then(function (data) { return [response.ok, data]; }); });
      })
      .then(function (pair) {
        if (mine !== generation) return;  // a later request answers instead
        if (pair[1] === null) body.textContent = panel.dataset.msgIdle;
        else if (pair[0]) render(pair[1]);
        else body.textContent = panel.dataset.msgError + " " + ((pair[1].error || {}).message || "");
      })
      .catch(function (error) {
        if (mine === generation) body.textContent = panel.dataset.msgError + " " + error.message;
      });
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(estimate, 400);
  });
  estimate();
})();
