/* Search-as-you-type: suggests offers while the visitor types in the search field.
 *
 * Follows the ARIA 1.2 combobox pattern (list autocomplete without automatic
 * selection): the input gets role="combobox", aria-expanded, aria-controls and
 * aria-activedescendant; the suggestions are a role="listbox". Down/Up move
 * through the suggestions, Enter opens the chosen offer, Escape closes the list.
 * Without JavaScript the field is an ordinary search field.
 *
 * Markup: input[data-suggest-url] with data-suggest-label, data-suggest-one,
 * data-suggest-many (with "{count}") and data-suggest-none in the visitor's language.
 */
(function () {
  'use strict';

  var DELAY_MS = 250;
  var MIN_LENGTH = 2;

  function setUp(input) {
    if (!window.fetch || !input.id) {
      return;
    }
    var listbox = document.createElement('ul');
    listbox.id = input.id + '-suggestions';
    listbox.className = 'suggestions';
    listbox.setAttribute('role', 'listbox');
    listbox.setAttribute('aria-label', input.dataset.suggestLabel || '');
    listbox.hidden = true;

    var status = document.createElement('p');
    status.className = 'visually-hidden';
    status.setAttribute('role', 'status');

    input.insertAdjacentElement('afterend', listbox);
    listbox.insertAdjacentElement('afterend', status);
    input.parentElement.classList.add('has-suggestions');

    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-controls', listbox.id);

    var suggestions = [];
    var active = -1;
    var timer = null;
    var controller = null;

    function isOpen() {
      return !listbox.hidden;
    }

    function open() {
      listbox.hidden = false;
      input.setAttribute('aria-expanded', 'true');
    }

    function close() {
      listbox.hidden = true;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
      setActive(-1);
    }

    function setActive(index) {
      active = index;
      Array.prototype.forEach.call(listbox.children, function (option, i) {
        var selected = i === index;
        option.setAttribute('aria-selected', selected ? 'true' : 'false');
        option.classList.toggle('suggestions__option--active', selected);
        if (selected) {
          input.setAttribute('aria-activedescendant', option.id);
          option.scrollIntoView({ block: 'nearest' });
        }
      });
      if (index < 0) {
        input.removeAttribute('aria-activedescendant');
      }
    }

    function go(index) {
      var suggestion = suggestions[index];
      if (suggestion && suggestion.url) {
        close();
        window.location.assign(suggestion.url);
      }
    }

    function announce(count) {
      var text;
      if (count === 0) {
        text = input.dataset.suggestNone || '';
      } else if (count === 1) {
        text = input.dataset.suggestOne || '';
      } else {
        text = (input.dataset.suggestMany || '').replace('{count}', String(count));
      }
      status.textContent = text;
    }

    function render(list) {
      suggestions = list;
      listbox.textContent = '';
      list.forEach(function (suggestion, index) {
        var option = document.createElement('li');
        option.id = listbox.id + '-' + index;
        option.className = 'suggestions__option';
        option.setAttribute('role', 'option');
        option.setAttribute('aria-selected', 'false');
        var title = document.createElement('span');
        title.className = 'suggestions__title';
        title.textContent = suggestion.title;
        option.appendChild(title);
        if (suggestion.city) {
          var city = document.createElement('span');
          city.className = 'suggestions__city';
          city.textContent = suggestion.city;
          option.appendChild(document.createTextNode(' '));
          option.appendChild(city);
        }
        // Keep the focus in the field while a suggestion is clicked.
        option.addEventListener('mousedown', function (event) {
          event.preventDefault();
        });
        option.addEventListener('click', function () {
          go(index);
        });
        listbox.appendChild(option);
      });
      setActive(-1);
      if (list.length) {
        open();
      } else {
        close();
      }
      announce(list.length);
    }

    function fetchSuggestions(text) {
      if (controller) {
        controller.abort();
      }
      controller = window.AbortController ? new AbortController() : null;
      var url = input.dataset.suggestUrl + '?q=' + encodeURIComponent(text);
      fetch(url, {
        headers: { Accept: 'application/json' },
        credentials: 'same-origin',
        signal: controller ? controller.signal : undefined,
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error('HTTP ' + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          // An answer to an older question is of no use any more.
          if (input.value.trim() !== text || document.activeElement !== input) {
            return;
          }
          render(Array.isArray(data.suggestions) ? data.suggestions : []);
        })
        .catch(function (error) {
          if (!error || error.name !== 'AbortError') {
            close();
          }
        });
    }

    input.addEventListener('input', function () {
      window.clearTimeout(timer);
      var text = input.value.trim();
      if (text.length < MIN_LENGTH) {
        if (controller) {
          controller.abort();
        }
        suggestions = [];
        close();
        return;
      }
      timer = window.setTimeout(function () {
        fetchSuggestions(text);
      }, DELAY_MS);
    });

    input.addEventListener('keydown', function (event) {
      var count = suggestions.length;
      switch (event.key) {
        case 'ArrowDown':
        case 'Down':
          if (!count) {
            return;
          }
          event.preventDefault();
          if (!isOpen()) {
            open();
            setActive(event.altKey ? -1 : 0);
          } else {
            setActive(active + 1 >= count ? 0 : active + 1);
          }
          break;
        case 'ArrowUp':
        case 'Up':
          if (!count) {
            return;
          }
          event.preventDefault();
          if (!isOpen()) {
            open();
          }
          setActive(active <= 0 ? count - 1 : active - 1);
          break;
        case 'Enter':
          if (isOpen() && active >= 0) {
            event.preventDefault();
            go(active);
          }
          break;
        case 'Escape':
        case 'Esc':
          if (isOpen()) {
            event.preventDefault();
            close();
          }
          break;
        case 'Tab':
          close();
          break;
        default:
          break;
      }
    });

    input.addEventListener('blur', function () {
      close();
    });
  }

  document.querySelectorAll('input[data-suggest-url]').forEach(setUp);
})();
