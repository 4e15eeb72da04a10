"""Turn CNIPA's annual task list (推动知识产权高质量发展任务清单) into tidy tables."""

__version__ = "0.1.0"
