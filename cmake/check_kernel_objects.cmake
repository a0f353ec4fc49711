# CTest: each level's kernel object exports one symbol, its entry point, and runs nothing at load.
#   cmake -DNM=nm -DREADELF=readelf -DDIR=<build> -DLEVELS="baseline;avx;..." -DSANITIZE=OFF -P check_kernel_objects.cmake
# Any other global symbol (an Eigen or std template instantiated with that level's instructions)
# could be merged by the linker with another level's copy and run on a CPU that lacks them; a
# static initialiser would run at load, before any dispatch, on every CPU.
set(checks 0)
foreach(level ${LEVELS})
  set(object "${DIR}/descend_kernels_${level}.o")
  execute_process(COMMAND "${NM}" -g --defined-only "${object}" OUTPUT_VARIABLE globals RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "kernel_objects: nm failed on ${object}")
  endif()
  string(REGEX REPLACE "[0-9a-fA-F]+ [A-Za-z] " "" globals "${globals}")
  string(STRIP "${globals}" globals)
  if(NOT globals STREQUAL "descend_kernels_${level}")
    message(FATAL_ERROR "kernel_objects: ${object} defines global symbols other than descend_kernels_${level}:\n${globals}")
  endif()
  math(EXPR checks "${checks} + 1")
  if(NOT SANITIZE)  # the sanitizers' own constructors are expected there
    execute_process(COMMAND "${READELF}" -S -W "${object}" OUTPUT_VARIABLE sections)
    if(sections MATCHES "\\.init_array|\\.ctors")
      message(FATAL_ERROR "kernel_objects: ${object} has static initialisers, which would run before dispatch")
    endif()
    math(EXPR checks "${checks} + 1")
  endif()
endforeach()
message("kernel_objects: ${checks} passed, 0 failed")
