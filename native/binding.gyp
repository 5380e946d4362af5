{
  "targets": [
    {
      "target_name": "hsi_pcap",
      "sources": ["src/hsi_pcap.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers"],
      "libraries": ["-lpcap"],
      "conditions": [
        ["OS=='mac'", {
          "xcode_settings": { "OTHER_CFLAGS": ["-std=gnu11", "-Wall"] }
        }]
      ]
    }
  ]
}
