// The browser's own form checks in Vietnamese, and date and time entry in Vietnamese order.
// Loaded once from templates/base.html as a static file (the CSP allows script-src 'self' only).
//
// 1. Browser validation. Most portal forms carry `novalidate` and every message comes from the
//    server; where a form does not (a filter with a number field, a required select), the bubble
//    the browser shows would follow the phone's language ("Please fill out this field."). Each
//    `invalid` event gets a Vietnamese message through setCustomValidity, chosen from the
//    field's validity state; a field with data-format-message gives its own wording for a
//    pattern mismatch. The message is cleared as soon as the field is edited.
// 2. Date and time entry (registry/forms.py VietDateInput, VietTimeInput): text fields with the
//    numeric keypad, written dd/mm/yyyy and hh:mm on the 24-hour clock. Digits alone are written
//    back with separators ("05032025" -> "05/03/2025", "1400" -> "14:00", "14h" -> "14:00"), since
//    some keypads have no "/" or ":". A date typed in full counts as changed at once (a `change`
//    event), so the meeting form recomputes its roll without waiting for the field to lose focus.
//
// The strings go through gettext() when a Django JavaScript catalogue is loaded; the message ids
// are the Vietnamese texts themselves, as everywhere in the portal.
(function () {
  "use strict";
  if (window.portalValidation) return;  // loaded twice on one page: bind once
  window.portalValidation = true;
  var t = window.gettext || function (text) { return text; };

  function withValue(text, value) { return text.replace("%s", value); }

  function messageFor(el) {
    var v = el.validity;
    var type = (el.getAttribute("type") || "").toLowerCase();
    if (v.valueMissing) {
      if (type === "checkbox") return t("Vui lòng đánh dấu ô này.");
      if (type === "radio") return t("Vui lòng chọn một trong các lựa chọn.");
      if (type === "file") return t("Vui lòng chọn một tệp.");
      if (el.tagName === "SELECT") return t("Vui lòng chọn một mục trong danh sách.");
      return t("Trường này là bắt buộc.");
    }
    if (v.typeMismatch) {
      if (type === "email") return t("Vui lòng nhập một địa chỉ e-mail hợp lệ, ví dụ ten@coquan.vn.");
      if (type === "url") return t("Vui lòng nhập một địa chỉ web hợp lệ, ví dụ https://coquan.vn.");
      return t("Giá trị không đúng dạng yêu cầu.");
    }
    if (v.badInput) {
      if (type === "number") return t("Vui lòng nhập một số.");
      return t("Giá trị không đúng dạng yêu cầu.");
    }
    if (v.patternMismatch) {
      return el.getAttribute("data-format-message") || el.getAttribute("title") || t("Giá trị không đúng dạng yêu cầu.");
    }
    if (v.rangeUnderflow) return withValue(t("Giá trị phải lớn hơn hoặc bằng %s."), el.min);
    if (v.rangeOverflow) return withValue(t("Giá trị phải nhỏ hơn hoặc bằng %s."), el.max);
    if (v.stepMismatch) return t("Giá trị không hợp lệ với bước nhảy cho phép.");
    if (v.tooLong) return withValue(t("Tối đa %s ký tự."), el.maxLength);
    if (v.tooShort) return withValue(t("Cần ít nhất %s ký tự."), el.minLength);
    return t("Giá trị không hợp lệ.");
  }

  // `invalid` does not bubble: listen in the capture phase, before the browser shows its bubble.
  document.addEventListener("invalid", function (event) {
    var el = event.target;
    if (!el.setCustomValidity) return;
    el.setCustomValidity("");
    if (!el.validity.valid) el.setCustomValidity(messageFor(el));
  }, true);

  function clearMessage(el) {
    if (el && el.setCustomValidity && el.validity && el.validity.customError) el.setCustomValidity("");
  }

  var FULL_DATE = /^(\d{1,2})[\/.\-](\d{1,2})[\/.\-](\d{4})$|^\d{4}-\d{2}-\d{2}$/;

  function two(n) { return (n < 10 ? "0" : "") + n; }

  function dateFromDigits(value) {
    var m = /^(\d{2})(\d{2})(\d{4})$/.exec(value);
    return m ? m[1] + "/" + m[2] + "/" + m[3] : null;
  }

  function normalTime(value) {
    var text = value.trim().toLowerCase(), m;
    if ((m = /^(\d{1,2})$/.exec(text)) || (m = /^(\d{1,2})\s*[hg]$/.exec(text))) return check(+m[1], 0);
    if ((m = /^(\d{1,2})\s*[:.,hg]\s*(\d{2})(?::\d{2})?$/.exec(text))) return check(+m[1], +m[2]);
    if ((m = /^(\d{1,2})(\d{2})$/.exec(text))) return check(+m[1], +m[2]);
    return null;
    function check(h, min) { return h < 24 && min < 60 ? two(h) + ":" + two(min) : null; }
  }

  function commitDate(el) {
    if (!FULL_DATE.test(el.value) || el.getAttribute("data-committed") === el.value) return;
    el.setAttribute("data-committed", el.value);
    el.dispatchEvent(new Event("change", {bubbles: true}));
  }

  // The date a field holds when the secretary starts typing counts as announced already.
  document.addEventListener("focusin", function (event) {
    var el = event.target;
    if (el.hasAttribute && el.hasAttribute("data-date-entry") && !el.hasAttribute("data-committed")) {
      el.setAttribute("data-committed", el.value);
    }
  });

  document.addEventListener("input", function (event) {
    var el = event.target;
    clearMessage(el);
    if (!el.hasAttribute) return;
    if (el.hasAttribute("data-date-entry")) {
      var written = dateFromDigits(el.value.trim());
      if (written) el.value = written;
      commitDate(el);
    } else if (el.hasAttribute("data-time-entry") && /^\d{4}$/.test(el.value.trim())) {
      var time = normalTime(el.value);
      if (time) el.value = time;
    }
  }, true);

  document.addEventListener("change", function (event) {
    var el = event.target;
    clearMessage(el);
    if (!el.hasAttribute) return;
    if (el.hasAttribute("data-date-entry") && event.isTrusted) {
      // Already announced when it was typed in full: the same value again would recompute twice.
      if (el.getAttribute("data-committed") === el.value) { event.stopPropagation(); return; }
      var written = dateFromDigits(el.value.trim());
      if (written) el.value = written;
      if (FULL_DATE.test(el.value)) el.setAttribute("data-committed", el.value);
    }
    if (el.hasAttribute("data-time-entry")) {
      var time = normalTime(el.value);
      if (time && time !== el.value) {
        el.value = time;
        el.dispatchEvent(new Event("input", {bubbles: true}));  // the meeting form's live bar recounts
      }
    }
  }, true);
})();
