"""Server-rendered console (zh-CN first, English on request)."""
