// "2026-12-03T20:51:07+08:00" as people write it in the page's language, in Beijing time:
// "2026年12月3日 20:51"; as "2026-12-03 20:51" where the engine cannot.
export function readableTime(text) {
  try {
    return new Intl.DateTimeFormat(document.documentElement.lang, {
      timeZone: "Asia/Shanghai", year: "numeric", month: "long", day: "numeric",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    }).format(new Date(text));
  } catch {
    const match = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)/.exec(text);
    return match ? `${match[1]} ${match[2]}` : text;
  }
}
