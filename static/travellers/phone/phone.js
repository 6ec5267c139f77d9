/* The phone declaration (Form C5360): steps, the draft kept in local storage, the
   estimate, filing, and a declaration kept on the phone until the network is back.
   The page's texts and addresses come from the #phone-config JSON the server wrote. */
(function () {
  "use strict";

  var configElement = document.getElementById("phone-config");
  if (!configElement) return;
  var config = JSON.parse(configElement.textContent);
  var T = config.text;
  var KEYS = { draft: "c5360.draft", pending: "c5360.pending", qr: "c5360.qr" };
  var STEPS = ["passport", "journey", "questions", "goods", "review", "done"];
  var PASSPORT_FIELDS = ["surname", "given_names", "number", "nationality", "birth_date"];
  var TEXT_FIELDS = ["flight_number", "embarkation", "arrival_airport", "arrival_date", "address_in_japan"];
  var FAMILY_FIELDS = ["adults", "minors", "infants"];
  var ITEM_FIELDS = ["category", "description", "quantity", "value_jpy", "volume_ml", "weight_g", "for_child_use"];
  var sending = false;

  // Storage ---------------------------------------------------------------------------

  function load(key) {
    try {
      return JSON.parse(window.localStorage.getItem(key));
    } catch (error) {
      return null;
    }
  }

  function store(key, value) {
    try {
      window.localStorage.setItem(key, JSON.stringify(value));
    } catch (error) {
      /* A phone with storage turned off still files online; it only keeps nothing. */
    }
  }

  function forget(key) {
    try {
      window.localStorage.removeItem(key);
    } catch (error) {
      /* Nothing was kept. */
    }
  }

  function newId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  // Words ------------------------------------------------------------------------------

  function fill(template, params) {
    return template.replace(/%\((\w+)\)s/g, function (match, name) {
      return params[name] === undefined ? match : String(params[name]);
    });
  }

  function yen(amount) {
    return fill(T.yen, { amount: Number(amount).toLocaleString("en-US") });
  }

  function dateTime(iso) {
    var locale = config.language === "zh-hans" ? "zh-Hans" : config.language;
    try {
      return new Intl.DateTimeFormat(locale, { dateStyle: "long", timeStyle: "short", timeZone: "Asia/Tokyo" })
        .format(new Date(iso));
    } catch (error) {
      return iso;
    }
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Talking to the server --------------------------------------------------------------

  function post(url, payload) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "Accept-Language": config.language },
      body: JSON.stringify(payload),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { status: response.status, body: body };
      });
    });
  }

  /* Sends the declaration kept on the phone. The same client_id is sent every time, so
     the server files it once however often this runs. */
  function sendPending(callbacks) {
    var pending = load(KEYS.pending);
    if (!pending || sending) return;
    sending = true;
    callbacks.state("sending");
    post(config.submitUrl, pending.payload).then(function (result) {
      sending = false;
      if (result.status === 200 || result.status === 201) {
        store(KEYS.qr, {
          reference: result.body.reference,
          token: result.body.token,
          token_expires_at: result.body.token_expires_at,
          duty_jpy: result.body.duty_jpy,
          assessed_by_customs: result.body.assessed_by_customs,
        });
        forget(KEYS.pending);
        forget(KEYS.draft);
        callbacks.state("sent");
        callbacks.sent(load(KEYS.qr));
      } else if (result.status >= 400 && result.status < 500 && result.status !== 429) {
        // Refused: nothing was filed, the traveller corrects the draft and confirms again.
        forget(KEYS.pending);
        callbacks.state("draft");
        callbacks.refused(result.status, (result.body && result.body.error) || {});
      } else {
        callbacks.state("waiting");
        callbacks.unreachable();
      }
    }, function () {
      sending = false;
      callbacks.state("waiting");
      callbacks.unreachable();
    });
  }

  function registerServiceWorker() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.register(config.serviceWorkerUrl, { scope: config.serviceWorkerUrl.replace(/sw\.js$/, "") })
      .catch(function () { /* The pages still work online without it. */ });
  }

  // The QR code -------------------------------------------------------------------------

  function showQr(root, qr) {
    var image = root.querySelector("[data-qr-image]");
    var expired = root.querySelector("[data-qr-expired]");
    // The server draws only a token that still verifies: an expired one is said in words.
    var over = Date.parse(qr.token_expires_at) < Date.now();
    image.hidden = over;
    if (expired) {
      expired.textContent = over ? T.qrExpired : "";
      expired.hidden = !over;
    }
    if (!over) image.src = config.qrUrl.replace("REFERENCE", encodeURIComponent(qr.reference)) + "?t=" + encodeURIComponent(qr.token);
    root.querySelector("[data-qr-reference]").textContent = qr.reference;
    root.querySelector("[data-qr-expires]").textContent = dateTime(qr.token_expires_at);
    root.querySelector("[data-qr-duty]").textContent = qr.duty_jpy > 0 ? yen(qr.duty_jpy) : T.noDuty;
    if (qr.assessed_by_customs) root.querySelector("[data-qr-duty]").textContent += " " + T.dutyCustoms;
    root.hidden = false;
  }

  // The start page and "My QR code" -----------------------------------------------------

  function startPage() {
    var qrLink = document.querySelector("[data-my-qr-link]");
    var pendingLink = document.querySelector("[data-pending-link]");
    var view = document.querySelector("[data-qr-view]");
    var none = document.querySelector("[data-qr-none]");

    function refresh() {
      var qr = load(KEYS.qr);
      if (qrLink) qrLink.hidden = !qr;
      if (pendingLink) pendingLink.hidden = !load(KEYS.pending);
      if (view) {
        if (qr) showQr(view, qr);
        else view.hidden = true;
        if (none) none.hidden = !!qr;
      }
    }

    var callbacks = {
      state: function () {},
      sent: refresh,
      refused: refresh,
      unreachable: refresh,
    };
    refresh();
    sendPending(callbacks);
    window.addEventListener("online", function () { sendPending(callbacks); });
  }

  // The declaration form ----------------------------------------------------------------

  function declarePage(form) {
    var itemsBox = form.querySelector("[data-items]");
    var template = document.getElementById("item-template");
    var stateBadge = document.querySelector("[data-state]");
    var summary = form.querySelector("[data-error-summary]");
    var draft = load(KEYS.draft) || { client_id: newId(), fields: {}, items: [] };
    var current = null;
    var estimateRun = 0;

    function setState(state) {
      var words = { draft: T.stateDraft, waiting: T.stateWaiting, sending: T.stateSending, sent: T.stateSent };
      stateBadge.dataset.state = state;
      stateBadge.textContent = words[state];
    }

    // Reading and writing the form.

    function controls(name) {
      return form.querySelectorAll('[name="' + name + '"]');
    }

    function valueOf(name) {
      var found = controls(name);
      if (!found.length) return "";
      if (found[0].type === "radio") {
        for (var i = 0; i < found.length; i++) if (found[i].checked) return found[i].value;
        return "";
      }
      return found[0].value;
    }

    function setValue(name, value) {
      var found = controls(name);
      for (var i = 0; i < found.length; i++) {
        if (found[i].type === "radio") found[i].checked = found[i].value === value;
        else if (value !== undefined && value !== null) found[i].value = value;
      }
    }

    function fieldNames() {
      var names = PASSPORT_FIELDS.map(function (name) { return "passport." + name; })
        .concat(TEXT_FIELDS)
        .concat(FAMILY_FIELDS.map(function (name) { return "family." + name; }))
        .concat(Object.keys(config.questions).map(function (key) { return "answers." + key; }));
      names.push("unaccompanied_packages");
      return names;
    }

    function itemRows() {
      return Array.prototype.slice.call(itemsBox.querySelectorAll("[data-item]"));
    }

    function readItem(row) {
      var item = {};
      ITEM_FIELDS.forEach(function (name) {
        var control = row.querySelector('[data-name="' + name + '"]');
        item[name] = control.type === "checkbox" ? control.checked : control.value;
      });
      return item;
    }

    function collect() {
      draft.fields = {};
      fieldNames().forEach(function (name) { draft.fields[name] = valueOf(name); });
      draft.items = itemRows().map(readItem);
      store(KEYS.draft, draft);
    }

    function numberOrNull(text) {
      return text === "" || text === undefined || text === null ? null : Number(text);
    }

    function payload() {
      var f = draft.fields;
      var passport = {};
      PASSPORT_FIELDS.forEach(function (name) { passport[name] = (f["passport." + name] || "").trim(); });
      var answers = {};
      Object.keys(config.questions).forEach(function (key) { answers[key] = f["answers." + key] === "yes"; });
      var family = {};
      FAMILY_FIELDS.forEach(function (name) { family[name] = numberOrNull(f["family." + name]) || 0; });
      var items = !answers.over_allowance ? [] : draft.items.map(function (item) {
        var measured = config.volumeCategories.indexOf(item.category) >= 0;
        var weighed = config.weightCategories.indexOf(item.category) >= 0;
        return {
          category: item.category,
          description: (item.description || "").trim(),
          quantity: numberOrNull(item.quantity),
          value_jpy: numberOrNull(item.value_jpy),
          volume_ml: measured ? numberOrNull(item.volume_ml) : null,
          weight_g: weighed ? numberOrNull(item.weight_g) : null,
          for_child_use: !!item.for_child_use,
        };
      });
      return {
        client_id: draft.client_id,
        language: config.language,
        passport: passport,
        flight_number: (f.flight_number || "").trim(),
        embarkation: (f.embarkation || "").trim(),
        arrival_airport: f.arrival_airport || "",
        arrival_date: f.arrival_date || "",
        address_in_japan: (f.address_in_japan || "").trim(),
        family: family,
        answers: answers,
        unaccompanied_packages: answers.unaccompanied ? numberOrNull(f.unaccompanied_packages) || 0 : 0,
        items: items,
      };
    }

    // Lines of goods.

    function renumber() {
      itemRows().forEach(function (row, index) {
        row.querySelector("[data-item-title]").textContent = fill(T.line, { number: index + 1 });
        ITEM_FIELDS.forEach(function (name) {
          var id = "item-" + index + "-" + name;
          var control = row.querySelector('[data-name="' + name + '"]');
          var label = row.querySelector('[data-for="' + name + '"]');
          var error = row.querySelector('[data-error-name="' + name + '"]');
          control.id = id;
          control.dataset.field = "items[" + index + "]." + name;
          if (label) label.htmlFor = id;
          if (error) {
            error.id = "error-items[" + index + "]." + name;
            control.setAttribute("aria-describedby", error.id);
          }
        });
      });
      var full = itemRows().length >= config.maxItems;
      form.querySelector("[data-add-item]").disabled = full;
      var note = form.querySelector("[data-items-full]");
      note.textContent = full ? T.tooManyItems : "";
      note.hidden = !full;
    }

    function showMeasure(row) {
      var category = row.querySelector('[data-name="category"]').value;
      row.querySelector('[data-measure="volume_ml"]').hidden = config.volumeCategories.indexOf(category) < 0;
      row.querySelector('[data-measure="weight_g"]').hidden = config.weightCategories.indexOf(category) < 0;
    }

    function addItem(item) {
      if (itemRows().length >= config.maxItems) {
        showError("items", T.tooManyItems);
        return null;
      }
      var row = template.content.firstElementChild.cloneNode(true);
      itemsBox.appendChild(row);
      if (item) {
        ITEM_FIELDS.forEach(function (name) {
          var control = row.querySelector('[data-name="' + name + '"]');
          if (control.type === "checkbox") control.checked = !!item[name];
          else if (item[name] !== undefined && item[name] !== null) control.value = item[name];
        });
      }
      showMeasure(row);
      renumber();
      return row;
    }

    // Errors next to their fields.

    function errorBox(path) {
      return document.getElementById("error-" + path);
    }

    function clearErrors() {
      form.querySelectorAll(".t-error").forEach(function (box) {
        box.hidden = true;
        box.textContent = "";
      });
      form.querySelectorAll("[aria-invalid]").forEach(function (control) { control.removeAttribute("aria-invalid"); });
    }

    function showError(path, message) {
      var box = errorBox(path);
      if (!box) {
        summary.textContent = summary.textContent ? summary.textContent + " " + message : message;
        summary.hidden = false;
        return summary;
      }
      box.textContent = message;
      box.hidden = false;
      var control = form.querySelector('[data-field="' + path + '"]');
      if (control) control.setAttribute("aria-invalid", "true");
      return box;
    }

    /* Shows the API's errors (keyed `passport.number`, `items[2].quantity`) next to
       their fields and opens the first step that has one. */
    function showServerErrors(error) {
      clearErrors();
      var fields = error.fields || {};
      var first = null;
      Object.keys(fields).forEach(function (path) {
        var box = showError(path, fields[path][0]);
        if (!first && box !== summary) first = box;
      });
      if (!Object.keys(fields).length && error.message) showError("", error.message);
      if (!summary.hidden || first) {
        if (summary.hidden) {
          summary.textContent = T.fixErrors;
          summary.hidden = false;
        }
      }
      var step = first ? first.closest("[data-step]").dataset.step : current;
      go(step, first);
    }

    // Checks in the browser, with the same limits as the server.

    function integer(text) {
      return /^\d+$/.test(String(text).trim()) ? Number(text) : NaN;
    }

    function checkStep(step) {
      var f = draft.fields;
      var problems = [];
      function need(path, ok, message) { if (!ok) problems.push([path, message]); }
      if (step === "passport") {
        need("passport.surname", (f["passport.surname"] || "").trim() !== "", T.required);
        need("passport.number", /^[A-Za-z0-9]{5,9}$/.test((f["passport.number"] || "").trim()), T.passportNumber);
        need("passport.nationality", f["passport.nationality"] !== "", T.required);
        var birth = f["passport.birth_date"] || "";
        if (!birth) need("passport.birth_date", false, T.required);
        else if (birth > (f.arrival_date || config.arrivalMax)) need("passport.birth_date", false, T.birthFuture);
        else if (birth < "1890-01-01") need("passport.birth_date", false, T.birthOld);
      } else if (step === "journey") {
        need("flight_number", /^[A-Za-z0-9]{2}\d{1,4}[A-Za-z]?$/.test((f.flight_number || "").trim()), T.flightNumber);
        need("embarkation", /^[A-Za-z]{3}$/.test((f.embarkation || "").trim()), T.airportCode);
        need("arrival_airport", f.arrival_airport !== "", T.required);
        var arrival = f.arrival_date || "";
        need("arrival_date", arrival >= config.arrivalMin && arrival <= config.arrivalMax, arrival ? T.arrivalRange : T.required);
        if (arrival && f["passport.birth_date"] && f["passport.birth_date"] >= arrival) {
          need("arrival_date", false, T.birthFuture);
        }
        FAMILY_FIELDS.forEach(function (name) {
          var value = integer(f["family." + name] === "" ? "0" : f["family." + name]);
          need("family." + name, value >= 0 && value <= config.maxFamily, T.familyRange);
        });
      } else if (step === "questions") {
        Object.keys(config.questions).forEach(function (key) {
          need("answers." + key, f["answers." + key] === "yes" || f["answers." + key] === "no", T.chooseAnswer);
        });
        if (f["answers.unaccompanied"] === "yes") {
          var packages = integer(f.unaccompanied_packages);
          need("unaccompanied_packages", packages >= 1 && packages <= 99, T.packages);
        }
      } else if (step === "goods") {
        if (!draft.items.length) need("items", false, T.noItems);
        if (draft.items.length > config.maxItems) need("items", false, T.tooManyItems);
        draft.items.forEach(function (item, index) {
          var at = "items[" + index + "].";
          need(at + "category", item.category !== "", T.required);
          var quantity = integer(item.quantity);
          need(at + "quantity", quantity >= 1 && quantity <= config.maxQuantity, T.quantityRange);
          var value = integer(item.value_jpy);
          need(at + "value_jpy", value >= 0 && value <= config.maxValue, T.valueRange);
          if (config.volumeCategories.indexOf(item.category) >= 0) {
            var volume = integer(item.volume_ml);
            need(at + "volume_ml", volume >= 1 && volume <= 20000, T.volumeRange);
          }
          if (config.weightCategories.indexOf(item.category) >= 0) {
            var weight = integer(item.weight_g);
            need(at + "weight_g", weight >= 1 && weight <= 20000, T.weightRange);
          }
        });
      }
      clearErrors();
      problems.forEach(function (problem) { showError(problem[0], problem[1]); });
      if (problems.length) {
        summary.textContent = T.fixErrors;
        summary.hidden = false;
        var first = form.querySelector('[data-field="' + problems[0][0] + '"]');
        if (first && first.focus) {
          var target = first.matches("fieldset") ? first.querySelector("input") : first;
          target.focus();
        }
      }
      return !problems.length;
    }

    // Steps.

    function wantsGoods() {
      return draft.fields["answers.over_allowance"] === "yes";
    }

    function stepsInUse() {
      return STEPS.filter(function (step) { return step !== "goods" || wantsGoods(); });
    }

    function neighbour(step, offset) {
      var steps = stepsInUse();
      return steps[Math.min(Math.max(steps.indexOf(step) + offset, 0), steps.length - 1)];
    }

    function go(step, focus) {
      if (step !== current) {
        if (window.location.hash !== "#" + step) window.history.pushState({ step: step }, "", "#" + step);
      }
      show(step, focus);
    }

    function show(step, focus) {
      if (STEPS.indexOf(step) < 0) step = "passport";
      if (step === "goods" && !wantsGoods()) step = "questions";
      if (step === "done" && !load(KEYS.pending) && !load(KEYS.qr)) step = "review";
      current = step;
      // The language switch comes back to this step.
      var back = document.querySelector(".t-lang input[name=next]");
      if (back) back.value = window.location.pathname + "#" + step;
      form.querySelectorAll("[data-step]").forEach(function (section) { section.hidden = section.dataset.step !== step; });
      document.querySelectorAll("[data-step-mark]").forEach(function (mark) {
        if (mark.dataset.stepMark === step) mark.setAttribute("aria-current", "step");
        else mark.removeAttribute("aria-current");
        mark.hidden = mark.dataset.stepMark === "goods" && !wantsGoods();
      });
      if (step === "review") review();
      if (step === "done") done();
      var heading = form.querySelector('[data-step="' + step + '"] h1');
      if (focus && focus !== summary) {
        var control = form.querySelector('[data-field="' + (focus.dataset.errorFor || "") + '"]');
        (control && control.focus ? control : heading).focus();
      } else if (heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus({ preventScroll: true });
        window.scrollTo(0, 0);
      }
    }

    // The review: a summary and the estimate from the server.

    function reviewSummary() {
      var f = draft.fields;
      var box = form.querySelector("[data-review-summary]");
      box.textContent = "";
      var list = element("dl", "t-summary");
      function row(label, value) {
        list.appendChild(element("dt", "", label));
        list.appendChild(element("dd", "", value));
      }
      var labels = {
        name: T.name,
        number: document.querySelector('label[for="f-number"]').textContent,
        flight: document.querySelector('label[for="f-flight"]').textContent,
        arrival: document.querySelector('label[for="f-arrival"]').textContent,
        family: document.querySelector(".t-family legend").textContent,
      };
      row(labels.name, ((f["passport.surname"] || "") + " " + (f["passport.given_names"] || "")).trim());
      row(labels.number, f["passport.number"] || "");
      row(labels.flight, (f.flight_number || "") + " " + (f.embarkation || "") + " → " + (f.arrival_airport || ""));
      row(labels.arrival, f.arrival_date || "");
      row(labels.family, fill(T.family, {
        adults: f["family.adults"] || 0, minors: f["family.minors"] || 0, infants: f["family.infants"] || 0,
      }));
      box.appendChild(list);
    }

    function deskReasons(estimate) {
      var box = form.querySelector("[data-desk]");
      box.textContent = "";
      var found = [];
      config.deskAnswers.forEach(function (key) {
        if (draft.fields["answers." + key] === "yes") found.push(config.questions[key]);
      });
      if (estimate && estimate.assessed_by_customs) found.push(T.customsAssess);
      if (found.length) {
        box.className = "t-desk t-desk--red";
        box.appendChild(element("p", "t-desk__title", T.deskReasons));
        var list = element("ul");
        found.forEach(function (text) { list.appendChild(element("li", "", text)); });
        box.appendChild(list);
      } else {
        box.className = "t-desk t-desk--green";
        box.appendChild(element("p", "t-desk__title", T.gateExpected));
      }
      box.hidden = false;
    }

    function renderEstimate(estimate) {
      var box = form.querySelector("[data-estimate]");
      box.textContent = "";
      if (!estimate.lines.length) box.appendChild(element("p", "", T.nothingDeclared));
      var allowances = [];
      estimate.lines.forEach(function (line) {
        var card = element("div", "t-line t-line--" + line.treatment);
        var title = config.categories[line.category] + (line.description ? " — " + line.description : "");
        card.appendChild(element("p", "t-line__title", title));
        card.appendChild(element("p", "", line.quantity + " × " + yen(line.value_jpy)));
        var split = [];
        if (line.free_quantity) split.push(fill(T.freeUnits, { count: line.free_quantity }));
        if (line.taxed_quantity) split.push(fill(T.taxedUnits, { count: line.taxed_quantity }));
        card.appendChild(element("p", "t-line__split", split.join(" · ")));
        if (line.treatment === "general_rate") {
          card.appendChild(element("p", "t-line__tax", T.customsAssess));
        } else if (line.taxed_quantity) {
          card.appendChild(element("p", "t-line__tax", yen(line.tax_jpy || 0)));
        }
        if (line.basis_text && line.taxed_quantity) card.appendChild(element("p", "t-line__basis", line.basis_text));
        if (line.allowance_text && allowances.indexOf(line.allowance_text) < 0) allowances.push(line.allowance_text);
        box.appendChild(card);
      });
      var total = element("p", "t-total");
      total.appendChild(element("span", "", T.duty + ": "));
      total.appendChild(element("strong", "", estimate.total_jpy > 0 ? yen(estimate.total_jpy) : yen(0)));
      if (estimate.assessed_by_customs) total.appendChild(element("span", "", " " + T.dutyCustoms));
      box.appendChild(total);
      if (!estimate.total_jpy && !estimate.assessed_by_customs) box.appendChild(element("p", "t-note", T.noDuty));
      if (allowances.length) {
        var list = element("ul", "t-allowances");
        allowances.forEach(function (text) { list.appendChild(element("li", "", text)); });
        box.appendChild(list);
      }
    }

    function review() {
      collect();
      reviewSummary();
      deskReasons(null);
      var box = form.querySelector("[data-estimate]");
      var run = ++estimateRun;
      post(config.estimateUrl, payload()).then(function (result) {
        if (run !== estimateRun) return;
        if (result.status === 200) {
          renderEstimate(result.body);
          deskReasons(result.body);
        } else if (result.body && result.body.error) {
          showServerErrors(result.body.error);
        } else {
          box.textContent = "";
          box.appendChild(element("p", "t-note", T.serverError));
        }
      }, function () {
        if (run !== estimateRun) return;
        box.textContent = "";
        box.appendChild(element("p", "t-note", T.offlineEstimate));
      });
    }

    // Confirming, sending, the QR code.

    var callbacks = {
      state: setState,
      sent: function () {
        // What was typed has been filed: the form starts empty for another declaration.
        draft = { client_id: newId(), fields: {}, items: [] };
        form.reset();
        itemRows().forEach(function (row) { row.remove(); });
        renumber();
        if (current === "done") done();
        else go("done");
      },
      refused: function (status, error) {
        if (status === 409) {
          draft.client_id = newId();
          store(KEYS.draft, draft);
        }
        showServerErrors(error);
      },
      unreachable: function () {
        if (current === "done") done();
      },
    };

    function done() {
      var waiting = form.querySelector("[data-waiting]");
      var view = form.querySelector("[data-qr-view]");
      var pending = load(KEYS.pending);
      var qr = load(KEYS.qr);
      waiting.hidden = !pending;
      if (!pending && qr) showQr(view, qr);
      else view.hidden = true;
    }

    function confirm() {
      collect();
      var steps = stepsInUse();
      for (var i = 0; i < steps.indexOf("review"); i++) {
        if (!checkStep(steps[i])) {
          go(steps[i]);
          checkStep(steps[i]);
          return;
        }
      }
      store(KEYS.pending, { payload: payload(), saved_at: new Date().toISOString() });
      setState("waiting");
      go("done");
      sendPending(callbacks);
    }

    // Wiring.

    fieldNames().forEach(function (name) { if (draft.fields[name] !== undefined) setValue(name, draft.fields[name]); });
    (draft.items || []).forEach(function (item) { addItem(item); });

    function showPackages() {
      var box = form.querySelector("[data-packages]");
      if (box) box.hidden = valueOf("answers.unaccompanied") !== "yes";
    }
    showPackages();

    form.addEventListener("input", collect);
    form.addEventListener("change", function (event) {
      if (event.target.dataset.name === "category") showMeasure(event.target.closest("[data-item]"));
      showPackages();
      collect();
      if (event.target.name === "answers.over_allowance") show(current);
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("click", function (event) {
      var target = event.target.closest("button");
      if (!target) return;
      if (target.hasAttribute("data-next")) {
        collect();
        if (current === "questions" && wantsGoods() && !draft.items.length) addItem(null);
        if (checkStep(current)) go(neighbour(current, 1));
      } else if (target.hasAttribute("data-back")) {
        window.history.back();
      } else if (target.hasAttribute("data-add-item")) {
        var row = addItem(null);
        collect();
        if (row) row.querySelector("select").focus();
      } else if (target.hasAttribute("data-remove-item")) {
        target.closest("[data-item]").remove();
        renumber();
        collect();
      } else if (target.hasAttribute("data-confirm")) {
        confirm();
      } else if (target.hasAttribute("data-retry")) {
        sendPending(callbacks);
      }
    });
    window.addEventListener("popstate", function () { show(window.location.hash.slice(1) || "passport"); });
    window.addEventListener("online", function () { sendPending(callbacks); });

    if (load(KEYS.pending)) {
      setState("waiting");
      show("done");
      sendPending(callbacks);
    } else {
      setState("draft");
      var first = window.location.hash.slice(1);
      if (first === "done" && !load(KEYS.qr)) first = "";
      if (!load(KEYS.draft) && first !== "done") first = "passport";
      window.history.replaceState({ step: first || "passport" }, "", "#" + (first || "passport"));
      show(first || "passport");
    }
  }

  registerServiceWorker();
  var declareForm = document.getElementById("c5360");
  if (declareForm) declarePage(declareForm);
  else startPage();
})();
