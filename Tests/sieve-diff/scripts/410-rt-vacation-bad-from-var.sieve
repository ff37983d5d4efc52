require ["vacation", "variables"];
set "f" "not an address";
vacation :from "${f}" "away";
