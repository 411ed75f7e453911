"""The directory of people and organisations: read by every staff role, contact details only
where a partnership is shared, corrected by the officers of the partnerships they belong to.

It sits above partnerships because both rules are about shared partnerships; the people and
organisations tables themselves live below, in their own packages."""
