"""A small plugin registry (the Open Forms pattern): one abstract base per module, plugins
registered by id with `@register("id")`, the active one chosen by a setting."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")


class Registry(Generic[T]):
    def __init__(self, *, setting: str) -> None:
        self.setting = setting
        self._plugins: dict[str, type[T]] = {}

    def __call__(self, identifier: str) -> Callable[[type[T]], type[T]]:
        def decorator(cls: type[T]) -> type[T]:
            if identifier in self._plugins and self._plugins[identifier] is not cls:
                raise ValueError(f"plugin {identifier!r} is already registered ({self.setting})")
            self._plugins[identifier] = cls
            cls.identifier = identifier  # type: ignore[attr-defined]
            return cls

        return decorator

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._plugins))

    def __contains__(self, identifier: object) -> bool:
        return identifier in self._plugins

    def get(self, identifier: str) -> T:
        try:
            return self._plugins[identifier]()
        except KeyError:
            known = ", ".join(self) or "none"
            raise ImproperlyConfigured(
                f"{self.setting}={identifier!r} is not a known plugin (known: {known})"
            ) from None

    def replace(self, identifier: str, cls: type[T]) -> Callable[[], None]:
        """Swap a plugin (tests); returns a function that restores the previous one."""
        previous = self._plugins.get(identifier)
        self._plugins[identifier] = cls

        def restore() -> None:
            if previous is None:
                self._plugins.pop(identifier, None)
            else:
                self._plugins[identifier] = previous

        return restore
