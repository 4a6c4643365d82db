/* The numbers Django's admin scripts write into their texts, in the page's digits.
 *
 * Django's scripts build their texts with the JavaScript catalog's interpolate(): the action bar's
 * "3 of 25 selected" (actions.js), the selection boxes' "2 selected options not visible"
 * (SelectFilter2.js), the time zone note of the date and time boxes (DateTimeShortcuts.js). This
 * script wraps interpolate() so that the numbers put into those texts come out in the page's digits
 * and separators, which the page gives in this script's data attributes (portal_admin's
 * admin_digits_script): "۳ از ۲۵ انتخاب شده‌اند" on Persian pages. Loaded with defer, it runs
 * after the catalog (jsi18n) and before Django's scripts write their first texts (on
 * DOMContentLoaded and later).
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var digits = (script && script.dataset.digits) || "0123456789";
  var group = script ? script.dataset.group : ",";
  var decimal = script ? script.dataset.decimal : ".";

  function localDigits(text) {
    return text.replace(/[0-9]/g, function (d) { return digits.charAt(Number(d)); });
  }

  // 12500.5 -> "۱۲٬۵۰۰٫۵": a number, grouped by thousands, in the page's digits.
  function localNumber(value) {
    var parts = String(value).split(".");
    var whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, group);
    return localDigits(whole + (parts.length > 1 ? decimal + parts[1] : ""));
  }

  function shown(value) {
    return typeof value === "number" && isFinite(value) ? localNumber(value) : value;
  }

  function wrap(interpolate) {
    if (typeof interpolate !== "function" || interpolate.localDigits) { return interpolate; }
    var wrapped = function (fmt, obj, named) {
      var values;
      if (named) {
        values = {};
        Object.keys(obj).forEach(function (key) { values[key] = shown(obj[key]); });
      } else {
        values = Array.prototype.map.call(obj, shown);
      }
      return interpolate(fmt, values, named);
    };
    wrapped.localDigits = true;
    return wrapped;
  }

  if (window.django && window.django.interpolate) {
    window.django.interpolate = wrap(window.django.interpolate);
  }
  if (typeof window.interpolate === "function") {
    window.interpolate = wrap(window.interpolate);
  }
})();
