/* psvis video pages: attach hls.js (vendor/hls.min.js) to every <video data-hls>.
 *
 * Chromium has no native HLS: hls.js fetches the playlist and the MPEG-TS segments from
 * the footage API (same origin, session cookie) and feeds them to Media Source
 * Extensions. When the browser cannot decode H.264 through MSE, a live view falls back
 * to refreshing the snapshot JPEG every data-refresh seconds. An external file: the
 * console's CSP allows no inline script.
 */
(function () {
  "use strict";

  var H264 = 'video/mp4; codecs="avc1.42E01E"';
  var LIVE_RETRY_MS = 10000;

  function byId(id) {
    return id ? document.getElementById(id) : null;
  }

  function show(id) {
    var element = byId(id);
    if (element) {
      element.hidden = false;
    }
  }

  function hide(id) {
    var element = byId(id);
    if (element) {
      element.hidden = true;
    }
  }

  function canPlayH264() {
    return !!(window.MediaSource && window.MediaSource.isTypeSupported &&
      window.MediaSource.isTypeSupported(H264));
  }

  /* Live without H.264: a JPEG of the newest keyframe, refreshed. */
  function snapshotFallback(video) {
    var base = video.getAttribute("data-snapshot");
    var image = byId(video.id.replace("-video", "-snapshot"));
    if (!base || !image) {
      show(video.id.replace("-video", "-fallback"));
      return;
    }
    var seconds = parseInt(video.getAttribute("data-refresh") || "5", 10);
    video.hidden = true;
    image.hidden = false;
    show(video.id.replace("-video", "-fallback"));
    image.setAttribute("data-mode", "snapshot");
    function refresh() {
      image.src = base + (base.indexOf("?") < 0 ? "?" : "&") + "_=" + Date.now();
    }
    refresh();
    window.setInterval(refresh, Math.max(1, seconds) * 1000);
  }

  function attach(video) {
    var source = video.getAttribute("data-hls");
    var live = video.getAttribute("data-live") === "1";
    var prefix = video.id.replace("-video", "");
    if (!canPlayH264() || !window.Hls || !window.Hls.isSupported()) {
      if (!canPlayH264() && video.canPlayType("application/vnd.apple.mpegurl")) {
        video.src = source; /* native HLS (Safari) */
        return;
      }
      video.setAttribute("data-mode", "fallback");
      if (live) {
        snapshotFallback(video);
      } else {
        show(prefix + "-fallback");
      }
      return;
    }
    video.setAttribute("data-mode", "hls");
    var recovered = false;
    var hls = new window.Hls({
      enableWorker: false, /* a blob: worker is not allowed by the CSP */
      liveSyncDurationCount: 2,
      manifestLoadingMaxRetry: 2
    });
    hls.on(window.Hls.Events.MANIFEST_PARSED, function () {
      hide(prefix + "-none");
      var playing = video.play();
      if (playing && playing.catch) {
        playing.catch(function () { /* autoplay refused: the controls remain */ });
      }
    });
    hls.on(window.Hls.Events.ERROR, function (_event, data) {
      if (!data.fatal) {
        return;
      }
      var status = data.response && data.response.code;
      if (data.type === window.Hls.ErrorTypes.NETWORK_ERROR) {
        show(prefix + "-none");
        video.setAttribute("data-error", String(status || "network"));
        if (live) {
          hls.stopLoad();
          window.setTimeout(function () { hls.loadSource(source); }, LIVE_RETRY_MS);
        }
        return;
      }
      if (data.type === window.Hls.ErrorTypes.MEDIA_ERROR && !recovered) {
        recovered = true;
        hls.recoverMediaError();
        return;
      }
      hls.destroy();
      video.setAttribute("data-mode", "fallback");
      if (live) {
        snapshotFallback(video);
      } else {
        show(prefix + "-fallback");
      }
    });
    hls.loadSource(source);
    hls.attachMedia(video);
  }

  var videos = document.querySelectorAll("video[data-hls]");
  for (var i = 0; i < videos.length; i += 1) {
    attach(videos[i]);
  }
}());
