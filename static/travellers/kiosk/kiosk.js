/* The gate kiosk (templates/travellers/kiosk/kiosk.html). Everything goes through the
   API with the kiosk's own token, which an officer pastes once (localStorage). For each
   traveller: language, the declaration's QR code (checked here with the public keys
   and WebCrypto Ed25519 for instant feedback), the passport's MRZ (check digits here
   too), then the server's decision: the gate, the officer desk, or the duty to pay by
   card or smartphone app at the payment gateway.

   Never a silent green: when the server cannot be reached (network error, 5 s timeout,
   5xx) the traveller is sent to the desk. A retry for the same traveller reuses its
   Idempotency-Key. After the idle time the page is reloaded from scratch, so nothing of
   the traveller stays in the DOM, in variables or in storage; only the kiosk token and
   the public keys stay in localStorage. */
(function () {
  "use strict";

  var root = document.getElementById("kiosk");
  if (!root) return;
  var texts = JSON.parse(document.getElementById("kiosk-texts").textContent);
  var TOKEN_KEY = "kiosk.token";
  var KEYS_KEY = "kiosk.keys";
  // The payment in progress while the traveller is at the gateway's page: ids and the
  // amount only, never the QR code or the passport.
  var FLOW_KEY = "kiosk.payment";
  var TIMEOUT_MS = 5000;
  var KEYS_MAX_AGE_MS = 10 * 60 * 1000;
  var POLL_MS = 1500;
  var POLL_TRIES = 20;
  var api = {
    keys: root.dataset.apiKeys,
    me: root.dataset.apiMe,
    decisions: root.dataset.apiDecisions,
    payments: root.dataset.apiPayments,
    desk: root.dataset.apiDesk,
  };
  var home = root.dataset.home;
  var idleSeconds = Number(root.dataset.idleSeconds) || 60;
  var language = document.documentElement.lang || "ja";
  var traveller = null;
  var idleTimer = null;
  var heartbeat = null;
  var camera = null;
  var QUIET_SCREENS = ["starting", "setup", "out-of-service", "language"];

  function $(selector, scope) {
    return (scope || root).querySelector(selector);
  }

  function screenOf(name) {
    return $('[data-screen="' + name + '"]');
  }

  function show(name) {
    root.querySelectorAll("[data-screen]").forEach(function (screen) {
      screen.hidden = screen.dataset.screen !== name;
    });
    root.dataset.current = name;
    var screen = screenOf(name);
    var target = screen.querySelector("input:not([type=hidden])") || screen.querySelector(".screen__title");
    if (target) target.focus();
    armIdle();
  }

  function fieldError(element, message) {
    element.textContent = message || "";
    element.hidden = !message;
  }

  function yen(amount) {
    return "¥" + Number(amount).toLocaleString("en-US");
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return String(Date.now()) + "-" + String(Math.random()).slice(2);
  }

  function newTraveller() {
    traveller = { key: newKey(), token: "", mrz: "", decision: null, payKeys: {} };
  }

  // --- The server ---------------------------------------------------------------------

  function Unreachable() {}
  function OutOfService() {}

  /* The API with the kiosk's token. Resolves {status, body} for answers below 500;
     rejects with Unreachable (network, timeout, 5xx) or OutOfService (401). */
  function call(url, options) {
    options = options || {};
    var controller = new AbortController();
    var timer = setTimeout(function () {
      controller.abort();
    }, TIMEOUT_MS);
    var headers = { Accept: "application/json", "Accept-Language": language };
    var token = options.token || localStorage.getItem(TOKEN_KEY) || "";
    if (token) headers.Authorization = "Kiosk " + token;
    if (options.body) headers["Content-Type"] = "application/json";
    if (options.key) headers["Idempotency-Key"] = options.key;
    return fetch(url, {
      method: options.method || "GET",
      headers: headers,
      body: options.body ? JSON.stringify(options.body) : undefined,
      signal: controller.signal,
      credentials: "omit",
      cache: "no-store",
    })
      .then(
        function (response) {
          if (response.status >= 500) throw new Unreachable();
          if (response.status === 401) throw new OutOfService();
          return response.json().then(
            function (body) {
              return { status: response.status, body: body };
            },
            function () {
              throw new Unreachable();
            }
          );
        },
        function () {
          throw new Unreachable();
        }
      )
      .finally(function () {
        clearTimeout(timer);
      });
  }

  function errorMessage(result) {
    var error = result.body && result.body.error;
    return (error && error.message) || texts.unreachable;
  }

  /* What every failed call ends in: out of service, or the desk (with "try again"). */
  function failed(error, retry) {
    if (error instanceof OutOfService) {
      show("out-of-service");
      return;
    }
    if (!(error instanceof Unreachable)) {
      window.setTimeout(function () {
        throw error;
      });
    }
    showDesk([texts.unreachable], { retry: retry });
  }

  // --- Screens ------------------------------------------------------------------------

  function fillMessages(screen, messages) {
    var list = screen.querySelector("[data-messages]");
    list.replaceChildren();
    (messages || []).forEach(function (message) {
      var item = document.createElement("li");
      item.textContent = message;
      list.appendChild(item);
    });
  }

  var retryAction = null;

  function showDesk(messages, options) {
    options = options || {};
    var screen = screenOf("desk");
    fillMessages(screen, messages);
    retryAction = options.retry || null;
    $('[data-action="retry"]', screen).hidden = !retryAction;
    $('[data-action="rescan"]', screen).hidden = !options.rescan;
    show("desk");
  }

  function showGate(messages, receipt) {
    var screen = screenOf("gate");
    fillMessages(screen, messages);
    var box = $("[data-receipt]", screen);
    box.hidden = !receipt;
    if (receipt) {
      $("[data-receipt-number]", box).textContent = receipt.number;
      $("[data-receipt-amount]", box).textContent = yen(receipt.amount_jpy);
      $("[data-receipt-method]", box).textContent = texts["method_" + receipt.method] || receipt.method;
      $("[data-receipt-date]", box).textContent = new Intl.DateTimeFormat(language, {
        dateStyle: "medium",
        timeStyle: "short",
        timeZone: root.dataset.timeZone || undefined,
      }).format(new Date(receipt.paid_at));
    }
    show("gate");
  }

  function showPay(decision, error) {
    var screen = screenOf("pay");
    $("[data-pay-amount]", screen).textContent = yen(decision.duty_jpy);
    fillMessages(screen, decision.messages);
    fieldError($("[data-pay-error]", screen), error || "");
    show("pay");
  }

  function busy(text) {
    $("[data-busy-text]").textContent = text;
    show("busy");
  }

  function showDecision(decision) {
    if (decision.lane === "gate" && decision.payment_required) showPay(decision);
    else if (decision.lane === "gate") showGate(decision.messages, null);
    else showDesk(decision.messages);
  }

  // --- Idle reset ---------------------------------------------------------------------

  function armIdle() {
    clearTimeout(idleTimer);
    if (QUIET_SCREENS.indexOf(root.dataset.current) >= 0) return;
    idleTimer = setTimeout(reset, idleSeconds * 1000);
  }

  /* Forgets the traveller: the page is loaded again from scratch (its first screen). */
  function reset() {
    clearTimeout(idleTimer);
    if (root.dataset.current === "pay" && traveller && traveller.decision) {
      // A traveller who walked away from the duty pays it at the desk: the officers'
      // queue shows them, instead of a declaration left waiting at this kiosk.
      fetch(api.desk.replace("/0/", "/" + traveller.decision.id + "/"), {
        method: "POST",
        headers: { Authorization: "Kiosk " + (localStorage.getItem(TOKEN_KEY) || "") },
        credentials: "omit",
        keepalive: true,
      }).catch(function () {});
    }
    traveller = null;
    retryAction = null;
    stopCamera();
    sessionStorage.removeItem(FLOW_KEY);
    root.querySelectorAll("input:not([type=hidden])").forEach(function (input) {
      input.value = "";
    });
    root.querySelectorAll("[data-messages]").forEach(function (list) {
      list.replaceChildren();
    });
    location.replace(home);
  }

  ["pointerdown", "keydown", "input"].forEach(function (type) {
    document.addEventListener(type, armIdle, true);
  });

  // --- Setup and the kiosk's own token -----------------------------------------------

  function start() {
    if (!localStorage.getItem(TOKEN_KEY)) {
      show("setup");
      return;
    }
    call(api.me).then(function (result) {
      if (result.status !== 200) {
        // Refused for another reason than the token (throttled, say): not a green either.
        showDesk([errorMessage(result)], { retry: start });
        return;
      }
      idleSeconds = result.body.idle_reset_seconds || idleSeconds;
      publicKeys(null);
      var payment = new URLSearchParams(location.search).get("payment");
      if (payment) {
        resumePayment(Number(payment));
      } else if (root.dataset.step === "scan") {
        newTraveller();
        history.replaceState(null, "", home + "?step=scan");
        show("scan");
      } else {
        show("language");
      }
    }, function (error) {
      failed(error, start);
    });
    // A revoked kiosk stops at once, not at its next traveller.
    clearInterval(heartbeat);
    heartbeat = setInterval(function () {
      if (root.dataset.current !== "language") return;
      call(api.me).catch(function (error) {
        if (error instanceof OutOfService) show("out-of-service");
      });
    }, 60000);
  }

  $('[data-form="setup"]').addEventListener("submit", function (event) {
    event.preventDefault();
    var input = $("#kiosk-token");
    var error = $("#setup-error");
    var token = input.value.trim();
    fieldError(error, "");
    if (!token) {
      fieldError(error, texts.token_refused);
      return;
    }
    call(api.me, { token: token }).then(
      function (result) {
        if (result.status !== 200) {
          fieldError(error, texts.token_refused);
          return;
        }
        input.value = "";
        localStorage.setItem(TOKEN_KEY, token);
        start();
      },
      function (failure) {
        fieldError(error, failure instanceof OutOfService ? texts.token_refused : texts.unreachable);
        input.focus();
      }
    );
  });

  // --- The QR code ----------------------------------------------------------------------

  function b64decode(text) {
    var base = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base.length % 4) base += "=";
    var binary = atob(base);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  function cachedKeys() {
    try {
      return JSON.parse(localStorage.getItem(KEYS_KEY) || "null");
    } catch (error) {
      return null;
    }
  }

  /* The public keys by key id: cached, fetched again when old or when `kid` is not
     among them. null when there are none at all (then the server alone decides). */
  function publicKeys(kid) {
    var cached = cachedKeys();
    var fresh = cached && Date.now() - cached.at < KEYS_MAX_AGE_MS;
    if (cached && fresh && (kid === null || kid in cached.keys)) return Promise.resolve(cached.keys);
    return call(api.keys).then(
      function (result) {
        if (result.status !== 200) return cached ? cached.keys : null;
        localStorage.setItem(KEYS_KEY, JSON.stringify({ at: Date.now(), keys: result.body.keys }));
        return result.body.keys;
      },
      function () {
        return cached ? cached.keys : null;
      }
    );
  }

  /* null when the token's signature and dates hold (or cannot be checked here: then
     the server checks), else the reason's code. */
  function verifyLocally(token) {
    var parts = token.split(".");
    if (token.length > 400 || parts.length !== 3 || parts[0] !== "CJ1") return Promise.resolve("qr_malformed");
    var body, signature, claims;
    try {
      body = b64decode(parts[1]);
      signature = b64decode(parts[2]);
      claims = JSON.parse(new TextDecoder().decode(body));
    } catch (error) {
      return Promise.resolve("qr_malformed");
    }
    if (!claims || typeof claims.kid !== "string" || typeof claims.exp !== "number" || typeof claims.iat !== "number") {
      return Promise.resolve("qr_malformed");
    }
    return publicKeys(claims.kid).then(function (keys) {
      if (keys === null || !(window.crypto && crypto.subtle)) return null;
      if (!(claims.kid in keys)) return "qr_unknown_key";
      return crypto.subtle
        .importKey("raw", b64decode(keys[claims.kid]), { name: "Ed25519" }, false, ["verify"])
        .then(function (key) {
          return crypto.subtle.verify({ name: "Ed25519" }, key, signature, body);
        })
        .then(
          function (valid) {
            var now = Date.now() / 1000;
            if (!valid) return "qr_bad_signature";
            if (now > claims.exp) return "qr_expired";
            if (now < claims.iat - 300) return "qr_not_yet_valid";
            return null;
          },
          function () {
            // This browser has no Ed25519: the server's check is the only one.
            return null;
          }
        );
    });
  }

  function scanned(text) {
    var token = (text || "").trim();
    var input = $("#kiosk-qr");
    input.value = "";
    if (!token) return;
    if (!traveller) newTraveller();
    busy(texts.checking_qr);
    verifyLocally(token).then(function (problem) {
      if (problem) {
        showDesk([texts[problem]], { rescan: true });
        return;
      }
      traveller.token = token;
      show("mrz");
    });
  }

  // A USB scanner types wherever the focus is: on the scan screen, keys typed while no
  // control has the focus (after a tap on the screen, say) go to the QR field.
  document.addEventListener(
    "keydown",
    function (event) {
      var active = document.activeElement;
      var onControl = active && active.matches("input, button, summary, a, textarea, select");
      if (root.dataset.current === "scan" && !onControl && event.key.length === 1) $("#kiosk-qr").focus();
    },
    true
  );

  $('[data-form="scan"]').addEventListener("submit", function (event) {
    event.preventDefault();
    scanned($("#kiosk-qr").value);
  });

  // The camera, through the vendored jsQR, where the kiosk has one.
  var cameraButton = $('[data-action="camera"]');
  cameraButton.hidden = !(navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.jsQR);

  function stopCamera() {
    if (!camera) return;
    camera.stream.getTracks().forEach(function (track) {
      track.stop();
    });
    camera.video.srcObject = null;
    camera = null;
    $("[data-camera]").hidden = true;
  }

  cameraButton.addEventListener("click", function () {
    var video = $("[data-camera-video]");
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(
      function (stream) {
        camera = { stream: stream, video: video, canvas: document.createElement("canvas") };
        video.srcObject = stream;
        $("[data-camera]").hidden = false;
        video.play();
        var frame = function () {
          if (!camera) return;
          if (video.readyState >= 2 && video.videoWidth) {
            var canvas = camera.canvas;
            canvas.width = video.videoWidth;
            canvas.height = video.videoHeight;
            var context = canvas.getContext("2d", { willReadFrequently: true });
            context.drawImage(video, 0, 0);
            var image = context.getImageData(0, 0, canvas.width, canvas.height);
            var code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
            if (code && code.data) {
              stopCamera();
              scanned(code.data);
              return;
            }
          }
          requestAnimationFrame(frame);
        };
        requestAnimationFrame(frame);
      },
      function () {
        fieldError($("#scan-error"), texts.camera_failed);
      }
    );
  });
  $('[data-action="camera-stop"]').addEventListener("click", stopCamera);

  // --- The passport -----------------------------------------------------------------------

  var line1 = $("#kiosk-mrz-1");
  var line2 = $("#kiosk-mrz-2");

  line1.addEventListener("keydown", function (event) {
    // A document reader types line 1, Enter, line 2, Enter.
    if (event.key === "Enter" && line1.value.replace(/\s/g, "").length < 2 * window.KioskMrz.LINE_LENGTH) {
      event.preventDefault();
      line2.focus();
    }
  });

  $('[data-form="mrz"]').addEventListener("submit", function (event) {
    event.preventDefault();
    var problem = window.KioskMrz.problem(line1.value, line2.value);
    if (problem) {
      fieldError($("#mrz-error"), texts[problem]);
      line1.focus();
      return;
    }
    fieldError($("#mrz-error"), "");
    traveller.mrz = window.KioskMrz.lines(line1.value, line2.value).join("\n");
    line1.value = "";
    line2.value = "";
    decide();
  });

  function decide() {
    busy(texts.checking_declaration);
    call(api.decisions, {
      method: "POST",
      key: traveller.key,
      body: { token: traveller.token, mrz: traveller.mrz, language: language },
    }).then(
      function (result) {
        if (result.status === 200) {
          traveller.decision = result.body;
          showDecision(result.body);
          return;
        }
        var error = result.body && result.body.error;
        if (result.status === 400 && error && error.fields && error.fields.mrz) {
          traveller.mrz = "";
          show("mrz");
          fieldError($("#mrz-error"), error.fields.mrz[0]);
          return;
        }
        showDesk([errorMessage(result)]);
      },
      function (error) {
        failed(error, decide);
      }
    );
  }

  // --- Paying the duty --------------------------------------------------------------------

  function pay(method) {
    var decision = traveller.decision;
    var key = traveller.payKeys[method] || (traveller.payKeys[method] = newKey());
    busy(texts.opening_payment);
    call(api.payments, { method: "POST", key: key, body: { decision: decision.id, method: method } }).then(
      function (result) {
        if (result.status === 200 || result.status === 201) {
          if (result.body.redirect_url) {
            sessionStorage.setItem(
              FLOW_KEY,
              JSON.stringify({ payment: result.body.id, decision: decision.id, duty_jpy: decision.duty_jpy })
            );
            traveller = null;
            location.assign(result.body.redirect_url);
            return;
          }
          paymentShown(result.body, decision);
          return;
        }
        showPay(decision, errorMessage(result));
        if (result.status === 503) $("[data-pay-buttons]").querySelectorAll('[data-action="pay"]').forEach(function (b) {
          b.hidden = true;
        });
      },
      function (error) {
        failed(error, function () {
          showPay(decision);
        });
      }
    );
  }

  /* True when the payment's outcome is known and shown. */
  function paymentShown(payment, decision) {
    if (payment.gate_open) {
      sessionStorage.removeItem(FLOW_KEY);
      showGate([texts.duty_paid], payment.receipt);
      return true;
    }
    if (["failed", "expired", "cancelled"].indexOf(payment.status) >= 0) {
      sessionStorage.removeItem(FLOW_KEY);
      showPay(decision, payment.failure_message || texts.payment_failed);
      return true;
    }
    return false;
  }

  function resumePayment(paymentId) {
    var flow = null;
    try {
      flow = JSON.parse(sessionStorage.getItem(FLOW_KEY) || "null");
    } catch (error) {
      flow = null;
    }
    history.replaceState(null, "", home);
    if (!flow || flow.payment !== paymentId) {
      show("language");
      return;
    }
    newTraveller();
    traveller.decision = { id: flow.decision, duty_jpy: flow.duty_jpy, messages: [], payment_required: true };
    var tries = 0;
    var poll = function () {
      busy(texts.checking_payment);
      call(api.payments + paymentId + "/").then(
        function (result) {
          if (result.status !== 200) {
            showDesk([errorMessage(result)]);
            return;
          }
          if (paymentShown(result.body, traveller.decision)) return;
          tries += 1;
          if (tries >= POLL_TRIES) {
            showDesk([texts.payment_unconfirmed], {
              retry: function () {
                tries = 0;
                poll();
              },
            });
            return;
          }
          setTimeout(poll, POLL_MS);
        },
        function (error) {
          failed(error, poll);
        }
      );
    };
    poll();
  }

  function payAtDesk() {
    var decision = traveller.decision;
    busy(texts.checking_declaration);
    call(api.desk.replace("/0/", "/" + decision.id + "/"), { method: "POST" }).then(
      function (result) {
        sessionStorage.removeItem(FLOW_KEY);
        if (result.status === 200 && result.body.lane === "gate") showGate(result.body.messages, null);
        else if (result.status === 200) showDesk(result.body.messages);
        else showDesk([errorMessage(result)]);
      },
      function (error) {
        // The desk either way: the officer there takes the duty.
        failed(error, null);
      }
    );
  }

  // --- Buttons --------------------------------------------------------------------------

  root.addEventListener("click", function (event) {
    var button = event.target.closest("[data-action]");
    if (!button || !root.contains(button)) return;
    var action = button.dataset.action;
    if (action === "restart") reset();
    else if (action === "retry" && retryAction) retryAction();
    else if (action === "rescan") {
      show("scan");
    } else if (action === "pay") pay(button.dataset.method);
    else if (action === "pay-at-desk") payAtDesk();
    else if (action === "setup-again") {
      localStorage.removeItem(TOKEN_KEY);
      show("setup");
    }
  });

  start();
})();
