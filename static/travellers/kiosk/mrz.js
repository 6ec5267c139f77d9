/* The passport's machine-readable zone (ICAO Doc 9303, TD3: two lines of 44
   characters), checked on the kiosk for instant feedback; the server checks it again
   (declarations/travellers/mrz.py holds the same rules). */
(function () {
  "use strict";

  var LINE_LENGTH = 44;
  var WEIGHTS = [7, 3, 1];
  var ALLOWED = /^[A-Z0-9<]+$/;

  function checkDigit(field) {
    var total = 0;
    for (var i = 0; i < field.length; i++) {
      var c = field.charAt(i);
      var value = 0;
      if (c >= "0" && c <= "9") value = c.charCodeAt(0) - 48;
      else if (c >= "A" && c <= "Z") value = c.charCodeAt(0) - 55;
      total += value * WEIGHTS[i % 3];
    }
    return total % 10;
  }

  /* The two lines as a reader or a person typed them: full-width letters folded,
     spaces dropped, upper case; one 88-character line is split in two. */
  function lines(first, second) {
    var fold = function (text) {
      return (text || "").normalize("NFKC").toUpperCase().replace(/\s+/g, "");
    };
    var a = fold(first);
    var b = fold(second);
    if (!b && a.length === 2 * LINE_LENGTH) {
      b = a.slice(LINE_LENGTH);
      a = a.slice(0, LINE_LENGTH);
    }
    return [a, b];
  }

  /* null when the MRZ holds, else the code of what is wrong: "mrz_format",
     "mrz_not_passport" or "mrz_check_digit". */
  function problem(first, second) {
    var pair = lines(first, second);
    var a = pair[0];
    var b = pair[1];
    if (a.length !== LINE_LENGTH || b.length !== LINE_LENGTH) return "mrz_format";
    if (!ALLOWED.test(a) || !ALLOWED.test(b) || a.charAt(0) !== "P") return "mrz_not_passport";
    var checks = [
      [b.slice(0, 9), b.charAt(9)],
      [b.slice(13, 19), b.charAt(19)],
      [b.slice(21, 27), b.charAt(27)],
      [b.slice(0, 10) + b.slice(13, 20) + b.slice(21, 43), b.charAt(43)],
    ];
    var personal = b.slice(28, 42);
    var personalCheck = b.charAt(42);
    if (personalCheck !== "<" || personal.replace(/</g, "") !== "") checks.push([personal, personalCheck]);
    for (var i = 0; i < checks.length; i++) {
      var digit = checks[i][1];
      if (!/^[0-9]$/.test(digit) || checkDigit(checks[i][0]) !== Number(digit)) return "mrz_check_digit";
    }
    return null;
  }

  window.KioskMrz = { checkDigit: checkDigit, lines: lines, problem: problem, LINE_LENGTH: LINE_LENGTH };
})();
